import type { RecentTransfer } from '../contract/device.js';
import type { TransferRow } from '../state/conversation.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import { isFinal } from './transfer-history.js';

/** Transfer rows kept per conversation: old finished ones drop off the list, like old chat. */
const MAX_ROWS = 50;

/** How many transfers the tray lists. */
const RECENT_COUNT = 5;

/**
 * Transfers as the window shows them (rows in each device's conversation), and as the tray
 * shows them (the last few, newest first, in whichever conversation they are).
 */
export class TransferRows {
  /** Transfers in the order they began. */
  private readonly recent: Array<{ peerId: string; key: string }> = [];
  /** The last row's place in the order rows appeared, across devices. */
  private seq = 0;

  constructor(
    private readonly store: SnapshotStore,
    private readonly setRecent: (recent: RecentTransfer[]) => Promise<unknown>,
    private readonly ended: (peerId: string, row: TransferRow) => void = () => {},
  ) {}

  row(peerId: string, key: string): TransferRow | undefined {
    return this.store.conversation(peerId)?.transfers.find((t) => t.key === key);
  }

  add(peerId: string, row: TransferRow): void {
    const placed = { ...row, seq: ++this.seq };
    this.store.patchConversation(peerId, (c) => ({ ...c, transfers: [...c.transfers, placed].slice(-MAX_ROWS) }));
    this.recent.push({ peerId, key: row.key });
    if (this.recent.length > RECENT_COUNT) this.recent.shift();
    this.reportRecent();
  }

  patch(peerId: string, key: string, patch: Partial<TransferRow>): void {
    // Only a change of state can end a transfer: progress patches skip the lookup.
    const before = patch.state === undefined ? undefined : this.row(peerId, key);
    this.store.patchConversation(peerId, (c) => ({
      ...c,
      transfers: c.transfers.map((t) => (t.key === key ? { ...t, ...patch } : t)),
    }));
    if (patch.state === undefined) return;
    this.reportRecent();
    const after = this.row(peerId, key);
    if (before && after && !isFinal(before.state) && isFinal(after.state)) this.ended(peerId, after);
  }

  /** Ended rows leave the transfers view with their history entry (one, or all: `key` undefined). */
  dropEnded(peerId: string | undefined, key: string | undefined): void {
    for (const c of this.store.get().conversations) {
      if (peerId !== undefined && c.peerId !== peerId) continue;
      const kept = c.transfers.filter((t) => !isFinal(t.state) || (key !== undefined && t.key !== key));
      if (kept.length !== c.transfers.length) this.store.patchConversation(c.peerId, (conversation) => ({ ...conversation, transfers: kept }));
    }
  }

  private reportRecent(): void {
    const recent = this.recent
      .map(({ peerId, key }) => ({ row: this.row(peerId, key), peerName: this.store.conversation(peerId)?.peerName ?? peerId }))
      .filter((r): r is { row: TransferRow; peerName: string } => r.row !== undefined)
      .reverse()
      .map(({ row, peerName }) => ({
        title: row.title.slice(0, 300),
        peerName: peerName.slice(0, 100),
        direction: row.direction,
        state: row.state === 'offered' || row.state === 'waiting' ? ('active' as const) : row.state === 'paused' ? ('interrupted' as const) : row.state,
      }));
    void this.setRecent(recent).catch(() => {});
  }
}
