import { describe, expect, it } from 'vitest';
import { AddressLimiter } from './limits.js';
import { OfflineQueueCap } from './offline-queue.js';

/** A clock the test moves by hand. */
function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('per-address token bucket', () => {
  it('allows the burst, then the rate, shared by all sockets of an address', () => {
    const time = clock();
    const limiter = new AddressLimiter({ maxConnections: 0, messagesPerSecond: 10, burst: 5 }, time.now);
    const a = limiter.open('10.0.0.1');
    const b = limiter.open('10.0.0.1');
    if (!a || !b) throw new Error('no slot');
    expect(a).toBe(b);
    const taken = Array.from({ length: 7 }, () => limiter.take(a));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
    time.advance(100); // 10/s: one more
    expect([limiter.take(b), limiter.take(b)]).toEqual([true, false]);
    time.advance(60_000); // refills to the burst, not beyond
    expect(Array.from({ length: 6 }, () => limiter.take(a)).filter(Boolean)).toHaveLength(5);
    // Another address has its own bucket.
    const other = limiter.open('10.0.0.2');
    expect(other && limiter.take(other)).toBe(true);
  });

  it('limits open connections per address, and keeps a drained bucket after the last one closes', () => {
    const time = clock();
    const limiter = new AddressLimiter({ maxConnections: 2, messagesPerSecond: 1, burst: 2 }, time.now);
    const one = limiter.open('10.0.0.1');
    expect(limiter.open('10.0.0.1')).toBeDefined();
    expect(limiter.open('10.0.0.1')).toBeUndefined();
    if (!one) throw new Error('no slot');
    limiter.take(one);
    limiter.take(one);
    limiter.close(one);
    limiter.close(one);
    limiter.sweep();
    // Reconnecting does not refill the bucket: the state outlives the connections.
    const again = limiter.open('10.0.0.1');
    expect(again).toBe(one);
    expect(again && limiter.take(again)).toBe(false);
    if (again) limiter.close(again);
    time.advance(2000);
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('with rate 0 and no connection limit, never refuses', () => {
    const limiter = new AddressLimiter({ maxConnections: 0, messagesPerSecond: 0, burst: 1 });
    const state = limiter.open('10.0.0.1');
    if (!state) throw new Error('no slot');
    expect(Array.from({ length: 10_000 }, () => limiter.take(state)).every(Boolean)).toBe(true);
  });
});

describe('offline queue cap', () => {
  it('admits up to the limit per peer, starts over after the lifetime or a delivery', () => {
    const time = clock();
    const cap = new OfflineQueueCap(3, 6500, time.now);
    expect(Array.from({ length: 5 }, () => cap.admit('ferry-aaaaaaaaaaaaaaaa'))).toEqual([true, true, true, false, false]);
    expect(cap.admit('ferry-bbbbbbbbbbbbbbbb')).toBe(true);
    cap.delivered('ferry-aaaaaaaaaaaaaaaa');
    expect(cap.admit('ferry-aaaaaaaaaaaaaaaa')).toBe(true);
    time.advance(6501);
    cap.sweep();
    expect(cap.size).toBe(0);
    expect(cap.admit('ferry-bbbbbbbbbbbbbbbb')).toBe(true);
  });
});
