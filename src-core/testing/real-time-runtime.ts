import type { Runtime, TimerHandle } from '../runtime.js';

// The core compiles without a platform's types: what this needs of every JavaScript runtime.
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare const crypto: { getRandomValues(bytes: Uint8Array): Uint8Array };

/** The Runtime on the platform's own clock, timers and randomness, for tests that run in real time. */
export const realTimeRuntime: Runtime = {
  now: () => Date.now(),
  setTimer: (ms, cb) => setTimeout(cb, ms) as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h),
  randomBytes: (n) => {
    const bytes = new Uint8Array(n);
    // getRandomValues fills at most 64 KiB a call.
    for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(n, at + 65_536)));
    return bytes;
  },
};
