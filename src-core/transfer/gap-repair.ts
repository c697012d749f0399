import type { Runtime, TimerHandle } from '../runtime.js';

/** A chunk this far behind the newest arrival is taken as lost, not late. */
const REORDER_TOLERANCE = 32;
/** Idle rounds before the tail (credit possibly in flight) is reported too. */
const TAIL_AFTER_IDLE_ROUNDS = 3;

/** What the repair logic needs to see of the receiver, in global chunk indices. */
export interface GapView {
  /** Everything below has arrived. */
  completeBelow(): number;
  highestSeen(): number;
  /** How far the sender may have sent for the first time (its first-time credit). */
  firstTimeFrontier(): number;
  has(global: number): boolean;
  /** False once the transfer stopped receiving. */
  receiving(): boolean;
}

/**
 * Partial mode's loss detection (SPEC.md, "Partial reliability and repair"): a chunk is missing
 * when one sent well after it has arrived, or when the link has gone quiet. "Quiet" is an idle
 * timer restarted by every arrival and at least four smoothed arrival gaps long, so a slow link
 * is not taken for a lossy one; the tail is reported only after repeated silence.
 */
export class GapRepair {
  private readonly lastReported = new Map<number, number>();
  private timer: TimerHandle | undefined;
  private arrivalGapMs = 0;
  private lastArrivalAt: number | undefined;
  private idleRounds = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly repairAfterMs: number,
    private readonly view: GapView,
    /** Asks for these chunks again (global indices, ascending). */
    private readonly report: (missing: number[]) => void,
  ) {}

  /** A new chunk arrived. */
  arrived(): void {
    const now = this.runtime.now();
    if (this.lastArrivalAt !== undefined) {
      const gap = now - this.lastArrivalAt;
      this.arrivalGapMs = this.arrivalGapMs === 0 ? gap : this.arrivalGapMs * 0.875 + gap * 0.125;
    }
    this.lastArrivalAt = now;
    this.idleRounds = 0;
    this.check(false);
  }

  stop(): void {
    if (this.timer !== undefined) this.runtime.clearTimer(this.timer);
    this.timer = undefined;
  }

  private idleDelay(): number {
    return Math.max(this.repairAfterMs, 4 * this.arrivalGapMs);
  }

  private check(idle: boolean): void {
    const view = this.view;
    const now = this.runtime.now();
    const tail = idle && this.idleRounds >= TAIL_AFTER_IDLE_ROUNDS;
    const limit = tail
      ? Math.max(view.highestSeen() + 1, view.firstTimeFrontier())
      : idle
        ? view.highestSeen() + 1
        : view.highestSeen() - REORDER_TOLERANCE + 1;
    const again = this.idleDelay();
    const missing: number[] = [];
    for (let g = view.completeBelow(); g < limit && missing.length < 4096; g++) {
      if (view.has(g)) continue;
      const last = this.lastReported.get(g);
      if (last !== undefined && now - last < again) continue;
      this.lastReported.set(g, now);
      missing.push(g);
    }
    if (missing.length > 0) this.report(missing);
    if (idle) this.idleRounds++;
    this.arm();
  }

  private arm(): void {
    this.stop();
    if (!this.view.receiving()) return;
    this.timer = this.runtime.setTimer(this.idleDelay(), () => {
      this.timer = undefined;
      if (this.view.receiving()) this.check(true);
    });
  }
}
