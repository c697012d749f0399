import type { Conversation } from '../state/conversation.js';

/** The combined progress of every active transfer, 0..1 in hundredths; null when none is active. */
export function activeFraction(conversations: readonly Conversation[]): number | null {
  let done = 0;
  let total = 0;
  for (const conversation of conversations) {
    for (const t of conversation.transfers) {
      if (t.state !== 'active') continue;
      done += t.bytesDone;
      total += t.totalBytes;
    }
  }
  return total > 0 ? Math.min(1, Math.round((done / total) * 100) / 100) : null;
}

/** The taskbar/dock's progress bar: told only when what it shows changes (main is a hop away). */
export class TaskbarProgress {
  private shown: number | null = null;

  constructor(private readonly setProgress: (fraction: number | null) => Promise<unknown>) {}

  report(conversations: readonly Conversation[]): void {
    const fraction = activeFraction(conversations);
    if (fraction === this.shown) return;
    this.shown = fraction;
    void this.setProgress(fraction).catch(() => {});
  }
}
