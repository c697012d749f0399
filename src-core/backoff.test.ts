import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 1000, maxMs: 8000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 50].map((n) => backoffDelay(n, 0.3, policy))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('keeps jitter within the configured fraction', () => {
    const policy = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };
    expect(backoffDelay(2, 0, policy)).toBe(2000);
    expect(backoffDelay(2, 0.999999, policy)).toBe(4000);
  });
});
