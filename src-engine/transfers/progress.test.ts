import { describe, expect, it } from 'vitest';
import { PROGRESS_INTERVAL_MS, ProgressSampler } from './progress.js';

describe('progress repaints', () => {
  it('repaints at most once an interval, always for the last byte, with a smoothed speed', () => {
    const sampler = new ProgressSampler();
    let shown = 0;
    const at = (now: number, done: number, total = 10_000_000) => {
      const paint = sampler.sample('a/in-1', { done, total, now, shownSpeed: () => shown });
      if (paint) shown = paint.bytesPerSecond;
      return paint;
    };
    // The first event has nothing to measure from: no speed yet.
    expect(at(0, 0)).toEqual({ bytesDone: 0, bytesPerSecond: 0 });
    expect(at(PROGRESS_INTERVAL_MS - 1, 50_000)).toBeUndefined();
    // 100 kB in 100 ms: the first measurement is shown as it is.
    expect(at(100, 100_000)).toEqual({ bytesDone: 100_000, bytesPerSecond: 1_000_000 });
    // 300 kB in 100 ms (3 MB/s) moves the shown speed a fifth of the way: 1.4 MB/s, not 3.
    expect(at(200, 400_000)?.bytesPerSecond).toBeCloseTo(1_400_000);
    expect(at(250, 600_000)).toBeUndefined();
    // The last byte is painted however soon it comes.
    expect(at(260, 10_000_000)?.bytesDone).toBe(10_000_000);
  });

  it('keeps each transfer’s measurements apart, and starts over for one it forgot', () => {
    const sampler = new ProgressSampler();
    const sample = (key: string, now: number, done: number) => sampler.sample(key, { done, total: 1e9, now, shownSpeed: () => 0 });
    sample('a/in-1', 0, 0);
    // Device b's transfer 1 is another transfer: not throttled by device a's.
    expect(sample('b/in-1', 10, 0)).toBeDefined();
    expect(sample('a/in-1', 20, 1000)).toBeUndefined();
    expect(sample('a/in-1', 100, 200_000)?.bytesPerSecond).toBe(2_000_000);
    sampler.forget('a/in-1');
    expect(sample('a/in-1', 110, 0)).toEqual({ bytesDone: 0, bytesPerSecond: 0 });
  });
});
