import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime, TimerHandle } from '../src-core/index.js';
import { SignalingClient, type SignalingState } from '../src-engine/signaling/signaling-client.js';
import { startSignalingServer } from '../signaling-server/src/server.js';
import { createNodeSignalingPeer } from '../src-node/webrtc/peerjs-on-node.js';

const runtime: Runtime = {
  now: () => Date.now(),
  setTimer: (ms, cb) => setTimeout(cb, ms) as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that takes TCP connections and never answers (a hung proxy, a wedged server). */
async function blackHole(): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the signaling client on Node, against a server that takes the connection and never answers', () => {
  it('gives the attempt up within 10 s, says so, and connects once a real server answers on that port', async () => {
    const hole = await blackHole();
    cleanups.push(() => hole.close());
    const states: SignalingState[] = [];
    const client = new SignalingClient(
      { url: `http://127.0.0.1:${hole.port}/`, key: 'peerjs', iceServers: [], embedded: false, relayOnly: false },
      { runtime, createPeer: createNodeSignalingPeer, debug: 0 },
      { state: (s) => states.push(s), incoming: () => {}, peerUnavailable: () => {} },
    );
    cleanups.push(() => client.stop());
    const started = Date.now();
    client.start();
    const gaveUp = await until('the attempt to be given up', () => states.find((s) => s.kind === 'reconnecting'), 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    expect(gaveUp).toMatchObject({ kind: 'reconnecting', lastError: expect.stringMatching(/did not answer within 10 s/) });

    // The server comes back for real on the same port: the next attempt connects.
    await hole.close();

    const server = await startSignalingServer({ port: hole.port, host: '127.0.0.1' });
    cleanups.push(() => server.close());
    client.retryNow();
    await until('connected', () => (client.state.kind === 'connected' ? true : undefined), 15_000);
    expect(server.peers()).toContain(client.state.peerId);
  }, 40_000);
});
