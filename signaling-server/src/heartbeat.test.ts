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
  it('drops a socket that answers no WebSocket ping within the alive timeout, even while it sends PeerJS heartbeats', async () => {
    const left: Array<[string, LeaveReason]> = [];
    const server = await start(left);
    const mute = await registered(server.port, peerId(1), { autoPong: false });
    const healthy = await registered(server.port, peerId(2));
    const stops = [keepBeating(mute), keepBeating(healthy)];
    try {
      const startedAt = Date.now();
      await mute.closed;
      // Detected within the timeout (plus scheduling slack), not by PeerJS's check (it got heartbeats).
      expect(Date.now() - startedAt).toBeLessThan(ALIVE_TIMEOUT_MS + 900);
      await waitFor(() => left.length === 1);
      expect(left).toEqual([[peerId(1), 'timeout']]);
      // The healthy one, pinged just as often, stays.
      await new Promise((r) => setTimeout(r, ALIVE_TIMEOUT_MS * 1.5));
      expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
      expect(server.peers()).toEqual([peerId(2)]);
    } finally {
      for (const stop of stops) stop();
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
