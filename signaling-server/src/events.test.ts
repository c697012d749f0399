import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingEvents } from './events.js';
import { startSignalingServer } from './server.js';
import { captureLogs, cleanup, peerId, refused, registered, track, waitFor } from './test-support/raw-peer.js';

afterEach(cleanup);

describe('event hooks for metrics', () => {
  it('report registrations, relays with their latency, queueing, refusals, /ice and departures, and match stats()', async () => {
    const calls: Array<[string, ...unknown[]]> = [];
    const latencies: number[] = [];
    const events: SignalingEvents = {
      registered: (...a) => calls.push(['registered', ...a]),
      reconnected: (...a) => calls.push(['reconnected', ...a]),
      left: (...a) => calls.push(['left', ...a]),
      relayed: (type, latencyMs) => {
        calls.push(['relayed', type]);
        latencies.push(latencyMs);
      },
      queued: (...a) => calls.push(['queued', ...a]),
      refused: (...a) => calls.push(['refused', ...a]),
      iceServed: (...a) => calls.push(['iceServed', ...a]),
    };
    const server = track(await startSignalingServer({ host: '127.0.0.1', port: 0, events }));
    const a = await registered(server.port, peerId(1), { token: 'a' });
    const b = await registered(server.port, peerId(2));
    a.send({ type: 'OFFER', dst: b.id, payload: {} });
    await b.next();
    b.send({ type: 'ANSWER', dst: a.id, payload: {} });
    await a.next();
    a.send({ type: 'HEARTBEAT' }); // not a relay
    a.send({ type: 'CANDIDATE', dst: peerId(3), payload: {} }); // offline: queued
    await refused(server.port, 'not-an-id');
    await fetch(`http://127.0.0.1:${server.port}/ice`);
    await registered(server.port, peerId(1), { token: 'a' }); // reconnect
    b.close();
    await waitFor(() => calls.some(([name]) => name === 'left'));

    expect(calls).toEqual([
      ['registered', peerId(1), '127.0.0.1'],
      ['registered', peerId(2), '127.0.0.1'],
      ['relayed', 'OFFER'],
      ['relayed', 'ANSWER'],
      ['queued', 'CANDIDATE'],
      ['refused', 'invalid-id', '127.0.0.1'],
      ['iceServed', false],
      ['reconnected', peerId(1), '127.0.0.1'],
      ['left', peerId(2), 'closed'],
    ]);
    // Receipt to hand-off happens in one turn of the event loop: well under a millisecond here.
    for (const latency of latencies) {
      expect(latency).toBeGreaterThan(0);
      expect(latency).toBeLessThan(50);
    }
    expect(server.stats()).toMatchObject({
      peers: 1,
      registered: 2,
      reconnected: 1,
      left: { closed: 1, timeout: 0, 'cut-off': 0 },
      relayed: 2,
      queued: 1,
      iceServed: 1,
      refused: { 'invalid-id': 1 },
    });
  });

  it('keep the server working when a hook throws', async () => {
    const logs = captureLogs();
    const boom = () => {
      throw new Error('metrics broke');
    };
    const server = track(
      await startSignalingServer({ host: '127.0.0.1', port: 0, logger: logs.logger, events: { registered: boom, relayed: boom } }),
    );
    const a = await registered(server.port, peerId(1));
    const b = await registered(server.port, peerId(2));
    a.send({ type: 'OFFER', dst: b.id, payload: {} });
    expect(await b.next()).toMatchObject({ type: 'OFFER', src: a.id });
    expect(server.stats().relayed).toBe(1);
    expect(logs.lines().filter((l) => l.msg === 'a signaling event hook threw; further failures are not logged')).toHaveLength(1);
  });
});
