import { randomBytes } from 'node:crypto';
import type { Runtime, TimerHandle } from '../src-core/index.js';

/** The core's Runtime on Node's clock, timers and CSPRNG. */
export const nodeRuntime: Runtime = {
  now: () => Date.now(),
  setTimer: (delayMs, callback) => setTimeout(callback, delayMs) as unknown as TimerHandle,
  clearTimer: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
};
