import { randomBytes } from 'node:crypto';
import type { Runtime, TimerHandle } from '../../src-core/index.js';

/**
 * The engine's clock in a lab test that must see minutes pass (a pairing code's 10 minutes):
 * real time, plus whatever the test moves it on by. Moving it on fires every timer that is then
 * due, at once, in order; the rest keep their real timeouts, shortened by the skew.
 */
export class SkewedRuntime implements Runtime {
  private skewMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; callback: () => void; timeout: NodeJS.Timeout }>();

  now(): number {
    return Date.now() + this.skewMs;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const id = this.nextId++;
    const due = this.now() + Math.max(0, delayMs);
    const timeout = setTimeout(() => this.fire(id), Math.max(0, delayMs));
    this.timers.set(id, { due, callback, timeout });
    return id as unknown as TimerHandle;
  }

  clearTimer(handle: TimerHandle): void {
    const id = handle as unknown as number;
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer.timeout);
    this.timers.delete(id);
  }

  randomBytes(length: number): Uint8Array {
    return new Uint8Array(randomBytes(length));
  }

  advance(ms: number): void {
    this.skewMs += ms;
    const due = [...this.timers.entries()].filter(([, t]) => t.due <= this.now()).sort(([, a], [, b]) => a.due - b.due);
    for (const [id] of due) this.fire(id);
  }

  private fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    clearTimeout(timer.timeout);
    this.timers.delete(id);
    timer.callback();
  }
}
