import type { AppStore, TransferRow, TransferState } from '../state/store';
import { formatBytes } from './format';

const STATE_WORDS: Record<TransferState, string> = {
  offered: 'Wants to send you files',
  waiting: 'Waiting for the other device to accept',
  active: 'In progress',
  done: 'Done, verified',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function TransferList({ peerId, name, transfers, store }: { peerId: string; name: string; transfers: TransferRow[]; store: AppStore }) {
  if (transfers.length === 0) return null;
  return (
    <ul aria-label={`Transfers with ${name}`} className="transfers">
      {transfers.map((t) => (
        <li key={t.key} className={`transfer transfer-${t.state}`}>
          <div className="transfer-head">
            <span className="transfer-title">
              {t.direction === 'out' ? 'To' : 'From'} {name}: {t.title}
            </span>
            <span className="transfer-state" role="status" aria-label={`State of ${t.title}`}>
              {STATE_WORDS[t.state]}
            </span>
          </div>
          <progress aria-label={`Progress of ${t.title}`} max={Math.max(1, t.totalBytes)} value={t.bytesDone} />
          <div className="transfer-meta">
            {formatBytes(t.bytesDone)} of {formatBytes(t.totalBytes)} · {t.fileCount} {t.fileCount === 1 ? 'file' : 'files'}
            {t.error && t.state !== 'done' ? <span className="field-error"> · {t.error}</span> : null}
          </div>
          <div className="row">
            {t.state === 'offered' ? (
              <>
                <button type="button" onClick={() => store.acceptTransfer(peerId, t.key)}>
                  Accept
                </button>
                <button type="button" className="secondary" onClick={() => store.declineTransfer(peerId, t.key)}>
                  Decline
                </button>
              </>
            ) : null}
            {t.state === 'waiting' || t.state === 'active' ? (
              <button type="button" className="secondary" onClick={() => store.cancelTransfer(t.key)}>
                Cancel
              </button>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}
