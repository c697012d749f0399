import type { EngineSnapshot, TransferRow, TransferState } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { ClearHistory, HistoryRow } from './TransferHistory';
import { TransferItem } from './TransferItem';

/** Active first, then those waiting for someone, then the ended ones (newest first). */
const RANK: Record<TransferState, number> = { active: 0, waiting: 1, offered: 1, interrupted: 2, paused: 2, done: 3, declined: 3, cancelled: 3, failed: 3 };

interface Placed {
  peerId: string;
  name: string;
  transfer: TransferRow;
}

export function transfersInOrder(snapshot: EngineSnapshot): Placed[] {
  const all = snapshot.conversations.flatMap((c) => c.transfers.map((transfer) => ({ peerId: c.peerId, name: c.peerName ?? c.peerId, transfer })));
  const ended = (p: Placed) => RANK[p.transfer.state] === 3;
  return all.sort((a, b) => RANK[a.transfer.state] - RANK[b.transfer.state] || (ended(a) ? b.transfer.seq - a.transfer.seq : a.transfer.seq - b.transfer.seq));
}

/**
 * Every transfer in one list, across devices: those moving or waiting first, then the ended
 * ones newest first — this run's with their progress and files, then the history kept from
 * earlier runs (the last 100, removable).
 */
export function TransfersView({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const placed = transfersInOrder(snapshot);
  const history = new Map(snapshot.history.map((entry) => [entry.id, entry]));
  const shown = new Set(placed.map((p) => `${p.peerId}/${p.transfer.key}`));
  const earlier = snapshot.history.filter((entry) => !shown.has(entry.id));
  return (
    <section aria-labelledby="transfers-heading" className="card">
      <div className="section-head">
        <h2 id="transfers-heading">Transfers</h2>
        <ClearHistory count={snapshot.history.length} store={store} />
      </div>
      {placed.length === 0 && earlier.length === 0 ? (
        <p className="hint">Nothing yet. Drop files on a device to send them.</p>
      ) : (
        <ul aria-label="Transfers" className="transfers">
          {placed.map((p) => (
            <TransferItem key={`${p.peerId}/${p.transfer.key}`} peerId={p.peerId} name={p.name} transfer={p.transfer} history={history.get(`${p.peerId}/${p.transfer.key}`)} store={store} />
          ))}
          {earlier.map((entry) => (
            <HistoryRow key={entry.id} entry={entry} store={store} />
          ))}
        </ul>
      )}
    </section>
  );
}
