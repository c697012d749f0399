import { randomBytes } from 'node:crypto';
import { randomId } from '../../src-core/index.js';
import { startSignalingServer } from '../../signaling-server/src/index.js';
import { createMdnsDiscovery, type LanDiscovery } from './discovery.js';
import { checkLanServer } from './health.js';
import { type LanState, LanSignaling } from './lan-signaling.js';
import { LoopbackProxy } from './loopback-proxy.js';

/** The built-in server's port when it is free (else any): for manual "host:port" connections. */
export const LAN_PORT = 47474;

export interface LanSource {
  /** What the window connects to: the loopback relay to the elected LAN server. */
  url: string;
  status(): LanState;
  close(): Promise<void>;
}

/**
 * The built-in signaling mode: find the LAN's Ferry server by mDNS or host one (on every
 * interface, advertised, serving the browser page when `webPage` holds it), and relay the
 * window to whichever is elected.
 */
export async function startLanSource(options: { log?: (message: string) => void; discovery?: LanDiscovery; webPage?: string | undefined } = {}): Promise<LanSource> {
  const proxy = await LoopbackProxy.start();
  const serverId = randomId({ randomBytes: (n) => new Uint8Array(randomBytes(n)) }, 16);
  const lan = new LanSignaling({
    serverId,
    discovery: options.discovery ?? createMdnsDiscovery((error) => options.log?.(`mDNS: ${String(error)}`)),
    startServer: async (id) => {
      // A well-known port when free, so "connect to host:port" is easy to type where mDNS is blocked.
      const start = (port: number) => startSignalingServer({ host: '0.0.0.0', port, serverId: id, listPeers: true, ...(options.webPage ? { webPage: options.webPage } : {}) });
      const server = await start(LAN_PORT).catch(() => start(0));
      return { port: server.port, close: () => server.close() };
    },
    checkHealth: (advert) => checkLanServer(advert),
    onChange: (state) => {
      switch (state.kind) {
        case 'hosting':
          proxy.setUpstream({ host: '127.0.0.1', port: state.port });
          break;
        case 'joined':
          proxy.setUpstream({ host: state.server.host, port: state.server.port });
          break;
        case 'searching':
          proxy.setUpstream(undefined);
          break;
        default: {
          const unreachable: never = state;
          return unreachable;
        }
      }
      options.log?.(`LAN signaling: ${JSON.stringify(state)}`);
    },
    ...(options.log ? { log: options.log } : {}),
  });
  await lan.start();
  return {
    url: proxy.url,
    status: () => lan.state,
    close: async () => {
      await lan.close();
      await proxy.close();
    },
  };
}
