import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import { type Presence, PresenceTracker } from './presence.js';

function tracker() {
  const runtime = new ManualRuntime();
  const dials: string[] = [];
  let latest: ReadonlyMap<string, Presence> = new Map();
  const presence = new PresenceTracker({ runtime, dial: (id) => dials.push(id), changed: (p) => (latest = p) });
  return { runtime, dials, presence, state: (id: string) => latest.get(id) };
}

describe('presence of paired devices', () => {
  it('dials a paired device once signaling is up, and again with growing, bounded delays while it is offline', () => {
    const { runtime, dials, presence, state } = tracker();
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa']);
    expect(dials).toEqual([]);
    expect(state('ferry-aaaaaaaaaaaaaaaa')).toEqual({ kind: 'offline', nextCheckAt: undefined });
    presence.signaling(true);
    expect(dials).toEqual(['ferry-aaaaaaaaaaaaaaaa']);
    expect(state('ferry-aaaaaaaaaaaaaaaa')).toEqual({ kind: 'checking' });

    const gaps: number[] = [];
    for (let i = 0; i < 8; i++) {
      presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
      const offline = state('ferry-aaaaaaaaaaaaaaaa');
      if (offline?.kind !== 'offline' || offline.nextCheckAt === undefined) throw new Error('expected a next check');
      gaps.push(offline.nextCheckAt - runtime.now());
      runtime.advance(offline.nextCheckAt - runtime.now());
      expect(dials).toHaveLength(i + 2);
    }
    // 3 s ±50 %, doubling, capped at 60 s ±50 %.
    expect(gaps[0]).toBeGreaterThanOrEqual(1500);
    expect(gaps[0]).toBeLessThanOrEqual(3000);
    expect(gaps[3]).toBeGreaterThanOrEqual(12_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(30_000);
  });

  it('online while a session is open; a closed session starts the attempts over', () => {
    const { runtime, dials, presence, state } = tracker();
    presence.signaling(true);
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa']);
    for (let i = 0; i < 5; i++) {
      presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
      runtime.advance(60_000);
    }
    presence.linkOpened('ferry-aaaaaaaaaaaaaaaa');
    expect(state('ferry-aaaaaaaaaaaaaaaa')).toEqual({ kind: 'online' });
    const before = dials.length;
    runtime.advance(600_000);
    expect(dials).toHaveLength(before);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    const next = state('ferry-aaaaaaaaaaaaaaaa');
    expect(next?.kind === 'offline' && next.nextCheckAt !== undefined && next.nextCheckAt - runtime.now() <= 3000).toBe(true);
  });

  it('a device that unpaired this one is not dialled again, until someone asks', () => {
    const { runtime, dials, presence, state } = tracker();
    presence.signaling(true);
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa']);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa', { unpairedThere: 'The other device has unpaired this one.' });
    expect(state('ferry-aaaaaaaaaaaaaaaa')).toEqual({ kind: 'unpaired-there', message: 'The other device has unpaired this one.' });
    runtime.advance(3_600_000);
    expect(dials).toHaveLength(1);
    presence.checkNow('ferry-aaaaaaaaaaaaaaaa');
    expect(dials).toHaveLength(2);
  });

  it('signaling lost: no attempts until it is back, then at once; nearby devices are tried now', () => {
    const { runtime, dials, presence } = tracker();
    presence.signaling(true);
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa', 'ferry-bbbbbbbbbbbbbbbb']);
    expect(dials).toHaveLength(2);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    presence.linkEnded('ferry-bbbbbbbbbbbbbbbb');
    presence.signaling(false);
    runtime.advance(600_000);
    expect(dials).toHaveLength(2);
    presence.signaling(true);
    expect(dials).toHaveLength(4);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    presence.nearby(['ferry-aaaaaaaaaaaaaaaa', 'ferry-cccccccccccccccc']);
    expect(dials.slice(4)).toEqual(['ferry-aaaaaaaaaaaaaaaa']);
  });

  it('a device listed nearby on every poll is not dialled on every poll; a failing dial is retried, not stuck', () => {
    const { runtime, dials, presence } = tracker();
    presence.signaling(true);
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa']);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    presence.nearby(['ferry-aaaaaaaaaaaaaaaa']);
    expect(dials).toHaveLength(2);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    for (let i = 0; i < 5; i++) presence.nearby(['ferry-aaaaaaaaaaaaaaaa']);
    expect(dials).toHaveLength(2);
    runtime.advance(3000);
    expect(dials).toHaveLength(3);

    const throwing = new PresenceTracker({ runtime, dial: () => { throw new Error('not connected'); }, changed: () => {} });
    throwing.signaling(true);
    throwing.setPaired(['ferry-bbbbbbbbbbbbbbbb']);
    expect(throwing.snapshot().get('ferry-bbbbbbbbbbbbbbbb')).toMatchObject({ kind: 'offline', nextCheckAt: expect.any(Number) });
  });

  it('an unpaired device is forgotten: no timer left behind', () => {
    const { runtime, dials, presence, state } = tracker();
    presence.signaling(true);
    presence.setPaired(['ferry-aaaaaaaaaaaaaaaa']);
    presence.linkEnded('ferry-aaaaaaaaaaaaaaaa');
    presence.setPaired([]);
    runtime.advance(600_000);
    expect(dials).toHaveLength(1);
    expect(state('ferry-aaaaaaaaaaaaaaaa')).toBeUndefined();
  });
});
