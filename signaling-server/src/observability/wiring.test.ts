import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SignalingEvents } from '../events.js';
import { type SignalingServer, startSignalingServer } from '../server.js';
import { createObservability, type Observability } from './index.js';
import { pino } from 'pino';

/*
 * The wiring server.ts is meant to do, against the real server: its hooks straight into
 * `observability.events`, the router through its `routes` option. Checks that the two
 * interfaces fit and that real PeerJS traffic moves the numbers.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startWired(): Promise<{ server: SignalingServer; obs: Observability }> {
  // The server is created after its hooks, so the peer count reads it through a reference.
  const ref: { server?: SignalingServer } = {};
  const obs = createObservability({
    log: pino({ level: 'silent' }),
    flushIntervalMs: 20,
    connectedPeers: () => ref.server?.stats().peers ?? 0,
  });
  // The type check that matters: the server's hook interface accepts ours as it is.
  const events: SignalingEvents = obs.events;
  const server = await startSignalingServer({ host: '127.0.0.1', port: 0, events, routes: (router) => router.use(obs.router) });
  ref.server = server;
  cleanups.push(async () => {
    obs.close();
    await server.close();
  });
  return { server, obs };
}

async function connect(server: SignalingServer, id: string): Promise<{ socket: WebSocket; first: { type: string } }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs?${new URLSearchParams({ key: 'peerjs', id, token: 'tok' })}`);
  socket.on('error', () => {});
  cleanups.push(() => socket.terminate());
  const [data] = (await once(socket, 'message')) as [Buffer];
  return { socket, first: JSON.parse(data.toString()) as { type: string } };
}

async function metric(server: SignalingServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('observability wired into the signaling server', () => {
  it('counts real registrations, relays, refusals and leaves, and serves /status', async () => {
    const { server } = await startWired();
    const a = await connect(server, 'ferry-aaaaaaaaaaaaaaaa');
    const b = await connect(server, 'ferry-bbbbbbbbbbbbbbbb');
    expect([a.first.type, b.first.type]).toEqual(['OPEN', 'OPEN']);
    const refused = await connect(server, 'not-a-ferry-id');
    expect(refused.first.type).toBe('ERROR');

    const received = once(b.socket, 'message');
    a.socket.send(JSON.stringify({ type: 'OFFER', dst: 'ferry-bbbbbbbbbbbbbbbb', payload: { sdp: 'x' } }));
    await received;

    expect(await metric(server, 'ferry_signal_peers_connected')).toBe(2);
    expect(await metric(server, 'ferry_signal_registrations_total')).toBe(2);
    expect(await metric(server, 'ferry_signal_relayed_messages_total{type="offer"}')).toBe(1);
    expect(await metric(server, 'ferry_signal_relay_latency_seconds_count')).toBe(1);
    expect(await metric(server, 'ferry_signal_refusals_total{reason="invalid-id"}')).toBe(1);

    a.socket.close();
    await until(async () => (await metric(server, 'ferry_signal_leaves_total{reason="closed"}')) === 1, 'the leave');
    expect(await metric(server, 'ferry_signal_peers_connected')).toBe(1);

    const page = await fetch(`http://127.0.0.1:${server.port}/status`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('status/app.js');
  });
});
