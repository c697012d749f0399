import type { Runtime, TimerHandle } from '../runtime.js';

/**
 * A Runtime whose clock moves only when told and whose randomness is a seeded PRNG, so tests of
 * the core are exact and repeatable.
 */
export class ManualRuntime implements Runtime {
  private time: number;
  private seed: number;
  private nextTimerId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(options: { startMs?: number; seed?: number } = {}) {
    this.time = options.startMs ?? 1_700_000_000_000;
    this.seed = options.seed ?? 1;
  }

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.nextTimerId++;
    this.timers.set(id, { at: this.time + Math.max(0, delayMs), callback });
    return id as unknown as TimerHandle;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  randomBytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      // xorshift32: deterministic, not cryptographic; tests only.
      this.seed ^= this.seed << 13;
      this.seed ^= this.seed >>> 17;
      this.seed ^= this.seed << 5;
      bytes[i] = this.seed & 0xff;
    }
    return bytes;
  }

  /** Moves the clock forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && timer.at < dueAt) {
          dueAt = timer.at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const timer = this.timers.get(dueId);
      this.timers.delete(dueId);
      this.time = dueAt;
      timer?.callback();
    }
    this.time = target;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
