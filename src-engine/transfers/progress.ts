/** Progress repaints at most this often: a chunk every few milliseconds would swamp React. */
export const PROGRESS_INTERVAL_MS = 100;

/** Weight of the newest measurement in the shown speed. */
const NEWEST_WEIGHT = 0.2;

export interface ProgressSample {
  done: number;
  total: number;
  now: number;
  /** The speed shown now (0 before the first measurement); read only when a repaint is due. */
  shownSpeed: () => number;
}

/**
 * Turns a transfer's progress events into repaints: at most one per interval (the last one
 * always), each with a smoothed speed so the speed and time left do not jump with every repaint.
 */
export class ProgressSampler {
  private readonly lastPaint = new Map<string, { at: number; bytes: number }>();

  /** The repaint for this progress of the transfer `key`, or undefined when it is too soon for one. */
  sample(key: string, { done, total, now, shownSpeed }: ProgressSample): { bytesDone: number; bytesPerSecond: number } | undefined {
    const last = this.lastPaint.get(key);
    if (done < total && last && now - last.at < PROGRESS_INTERVAL_MS) return undefined;
    this.lastPaint.set(key, { at: now, bytes: done });
    const previous = shownSpeed();
    const instant = last && now > last.at ? ((done - last.bytes) * 1000) / (now - last.at) : previous;
    const bytesPerSecond = previous === 0 ? instant : previous * (1 - NEWEST_WEIGHT) + instant * NEWEST_WEIGHT;
    return { bytesDone: done, bytesPerSecond };
  }

  /** The transfer ended. */
  forget(key: string): void {
    this.lastPaint.delete(key);
  }
}
