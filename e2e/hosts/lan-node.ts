/*
 * One Ferry app's LAN signaling on a lab host: real mDNS, the real embedded server on the LAN,
 * real health checks. Prints a JSON line per state change.
 *   node --import tsx e2e/hosts/lan-node.ts <server id>
 */
import { startSignalingServer } from '../../signaling-server/src/index.js';
import { createMdnsDiscovery } from '../../src-main/lan/discovery.js';
import { checkLanServer } from '../../src-main/lan/health.js';
import { LanSignaling } from '../../src-main/lan/lan-signaling.js';

const serverId = process.argv[2] ?? '';
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const lan = new LanSignaling({
  serverId,
  discovery: createMdnsDiscovery((error) => print({ event: 'mdns-error', message: String(error) })),
  startServer: async (id) => {
    const server = await startSignalingServer({ host: '0.0.0.0', port: 0, serverId: id });
    return { port: server.port, close: () => server.close() };
  },
  checkHealth: (advert) => checkLanServer(advert),
  onChange: (state) => print({ event: 'state', state }),
  log: (message) => print({ event: 'log', message }),
  healthIntervalMs: 1000,
});
await lan.start();
print({ event: 'started' });
const stop = () => void lan.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
