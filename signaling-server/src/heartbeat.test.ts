import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeaveReason } from './events.js';
import { startSignalingServer } from './server.js';
import { cleanup, peerId, type RawPeer, registered, track, waitFor } from './test-support/raw-peer.js';

const proxies: net.Server[] = [];
afterEach(async () => {
  await cleanup();
  for (const proxy of proxies.splice(0)) proxy.close();
});

const ALIVE_TIMEOUT_MS = 600;

async function start(left: Array<[string, LeaveReason]>) {
  return track(
    await startSignalingServer({
      host: '127.0.0.1',
      port: 0,
      aliveTimeoutMs: ALIVE_TIMEOUT_MS,
      events: { left: (id, reason) => left.push([id, reason]) },
    }),
  );
}

/** Sends PeerJS heartbeats every 100 ms, so PeerJS's own liveness check never fires. */
function keepBeating(peer: RawPeer): () => void {
  const timer = setInterval(() => {
    if (peer.socket.readyState === peer.socket.OPEN) peer.send({ type: 'HEARTBEAT' });
  }, 100);
  return () => clearInterval(timer);
}

/**
 * A TCP relay between the client and the server that can go silent in both directions while
 * keeping both connections open: to the server, a half-open connection (a client gone without
 * a FIN). `upstreamClosed` resolves when the server closes its side.
 */
async function blackholeProxy(targetPort: number) {
  let silent = false;
  let upstreamClosedAt: number | undefined;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.on('data', (d) => silent || upstream.write(d));
    upstream.on('data', (d) => silent || client.write(d));
    upstream.on('close', () => (upstreamClosedAt ??= Date.now()));
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('close', () => upstream.destroy());
  });
  proxies.push(proxy);
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    port: (proxy.address() as net.AddressInfo).port,
    goSilent: () => {
      silent = true;
      return Date.now();
    },
    upstreamClosedAt: () => upstreamClosedAt,
  };
}

describe('heartbeats', () => {
  it('drops a silent socket that answers no ping within the alive timeout; talking sockets are never pinged', async () => {
    const left: Array<[string, LeaveReason]> = [];
    const server = await start(left);
    const mute = await registered(server.port, peerId(1), { autoPong: false });
    // Sends PeerJS heartbeats but would not answer a ping: it is talking, so it is alive.
    const talking = await registered(server.port, peerId(2), { autoPong: false });
    let pingsToTalking = 0;
    talking.socket.on('ping', () => pingsToTalking++);
    const stop = keepBeating(talking);
    try {
      const startedAt = Date.now();
      await mute.closed;
      expect(Date.now() - startedAt).toBeLessThan(ALIVE_TIMEOUT_MS + 900);
      await waitFor(() => left.length === 1);
      expect(left).toEqual([[peerId(1), 'timeout']]);
      await new Promise((r) => setTimeout(r, ALIVE_TIMEOUT_MS * 2));
      expect(talking.socket.readyState).toBe(talking.socket.OPEN);
      expect(server.peers()).toEqual([peerId(2)]);
      expect(pingsToTalking).toBe(0);
    } finally {
      stop();
    }
  });

  it('cuts a half-open connection within the alive timeout instead of waiting for a close handshake', async () => {
    const left: Array<[string, LeaveReason]> = [];
    const server = await start(left);
    const proxy = await blackholeProxy(server.port);
    await registered(proxy.port, peerId(1));
    const silentAt = proxy.goSilent();
    await waitFor(() => proxy.upstreamClosedAt() !== undefined, 5000, 'server closing the half-open connection');
    // Within the timeout: the server's TCP socket is gone, and with it the registration. (A
    // graceful close would wait for the client's close frame, which never comes.)
    expect((proxy.upstreamClosedAt() as number) - silentAt).toBeLessThan(ALIVE_TIMEOUT_MS + 900);
    expect(server.peers()).toEqual([]);
    expect(left).toEqual([[peerId(1), 'timeout']]);
  });
});
