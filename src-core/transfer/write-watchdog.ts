import type { Runtime, TimerHandle } from '../runtime.js';

/**
 * Notices a receiving disk that stopped answering: while writes are outstanding and none has
 * finished for `deadlineMs`, `stalled` is called once. One timer per transfer at most, armed
 * when writes start and re-armed only when it fires — nothing per chunk but two counters.
 */
export class WriteWatchdog {
  private outstanding = 0;
  private lastProgress = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly deadlineMs: number,
    private readonly stalled: () => void,
  ) {}

  started(): void {
    if (this.outstanding++ === 0) this.lastProgress = this.runtime.now();
    if (this.timer === undefined && !this.stopped) this.arm(this.deadlineMs);
  }

  finished(): void {
    this.outstanding--;
    this.lastProgress = this.runtime.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.runtime.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    this.timer = this.runtime.setTimer(delayMs, () => {
      this.timer = undefined;
      if (this.stopped || this.outstanding === 0) return;
      const idle = this.runtime.now() - this.lastProgress;
      if (idle >= this.deadlineMs) this.stalled();
      else this.arm(this.deadlineMs - idle);
    });
  }
}
