import { HISTORY_MAX, HISTORY_SAVED_PATHS, type HistoryEntry } from '../contract/device.js';
import type { TransferRow } from '../state/conversation.js';
import type { SnapshotStore } from '../state/snapshot-store.js';

/** A row's state when it has ended for good (the ones the history keeps). */
export function isFinal(state: TransferRow['state']): state is HistoryEntry['state'] {
  return state === 'done' || state === 'failed' || state === 'cancelled' || state === 'declined';
}

/**
 * The transfers that ended, newest first, the last HISTORY_MAX: in the snapshot for the window,
 * and kept by the host across restarts (`keep` gets the whole list after each change).
 */
export class TransferHistory {
  constructor(
    private readonly store: SnapshotStore,
    private readonly keep: (entries: HistoryEntry[]) => Promise<unknown>,
    private readonly now: () => number,
  ) {}

  /** The history kept from the last run (the host's copy, checked by the port's schema). */
  load(entries: readonly HistoryEntry[]): void {
    this.store.update({ history: entries.slice(0, HISTORY_MAX) });
  }

  /** A transfer ended: it goes on top (replacing an entry for the same transfer). */
  record(peerId: string, peerName: string, row: TransferRow): void {
    if (!isFinal(row.state)) return;
    const id = `${peerId}/${row.key}`;
    const entry: HistoryEntry = {
      id,
      peerId,
      peerName: peerName.slice(0, 200),
      direction: row.direction,
      title: row.title.slice(0, 300),
      fileCount: row.fileCount,
      totalBytes: row.totalBytes,
      state: row.state,
      endedBy: row.state === 'cancelled' || row.state === 'declined' ? row.endedBy : undefined,
      error: row.error?.slice(0, 1000),
      savedPaths: row.savedPaths.slice(0, HISTORY_SAVED_PATHS),
      endedAt: this.now(),
    };
    this.set([entry, ...this.entries().filter((e) => e.id !== id)]);
  }

  remove(id: string): void {
    const entries = this.entries();
    if (entries.some((e) => e.id === id)) this.set(entries.filter((e) => e.id !== id));
  }

  clear(): void {
    if (this.entries().length > 0) this.set([]);
  }

  private entries(): HistoryEntry[] {
    return this.store.get().history;
  }

  private set(entries: HistoryEntry[]): void {
    const history = entries.slice(0, HISTORY_MAX);
    this.store.update({ history });
    void this.keep(history).catch(() => {});
  }
}
