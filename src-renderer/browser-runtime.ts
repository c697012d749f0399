import type { Runtime, TimerHandle } from '../src-core/index';

/** The core's Runtime on the browser's clock, timers and CSPRNG. */
export const browserRuntime: Runtime = {
  now: () => Date.now(),
  setTimer: (delayMs, callback) => window.setTimeout(callback, delayMs) as unknown as TimerHandle,
  clearTimer: (handle) => window.clearTimeout(handle as unknown as number),
  randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};
