import { useState } from 'react';
import type { HistoryEntry } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { formatBytes } from './format';
import { isProblem, outcomeWords } from './outcome-words';

/** "Clear history…", confirmed: the ended transfers go from the list (received files stay). */
export function ClearHistory({ count, store }: { count: number; store: FerryView }) {
  const [confirming, setConfirming] = useState(false);
  if (count === 0) return null;
  return confirming ? (
    <div className="row" role="group" aria-label="Clear the history?">
      <span>Forget all {count}? Received files stay where they are.</span>
      <button type="button" onClick={() => (store.clearHistory(), setConfirming(false))}>
        Clear history
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </div>
  ) : (
    <button type="button" className="secondary" onClick={() => setConfirming(true)}>
      Clear history…
    </button>
  );
}

/** A transfer that ended in an earlier run (or whose row is gone): what, with whom, how it ended. */
export function HistoryRow({ entry, store }: { entry: HistoryEntry; store: FerryView }) {
  const problem = isProblem(entry);
  const files = `${entry.fileCount} ${entry.fileCount === 1 ? 'file' : 'files'}`;
  return (
    <li aria-label={`${entry.title} ${entry.direction === 'out' ? 'to' : 'from'} ${entry.peerName}`} className={`transfer transfer-ended history-entry${problem ? ' history-problem' : ''}`}>
      <div className="transfer-head">
        <span className="transfer-title">
          {entry.direction === 'out' ? 'To' : 'From'} {entry.peerName}: {entry.title}
        </span>
        <span className="transfer-state" role="status" aria-label={`Outcome of ${entry.title}`}>
          {outcomeWords(entry)}
        </span>
      </div>
      <div className="transfer-meta">
        {formatBytes(entry.totalBytes)} · {files} · <time dateTime={new Date(entry.endedAt).toISOString()}>{new Date(entry.endedAt).toLocaleString()}</time>
      </div>
      {entry.error ? <p className={problem ? 'field-error' : 'subtle'}>{entry.error}</p> : null}
      <div className="row">
        {entry.state === 'done' && entry.savedPaths[0] ? (
          <button type="button" className="secondary" onClick={() => store.showInFolder(entry.savedPaths[0] as string)}>
            {`Show ${entry.title} in folder`}
          </button>
        ) : null}
        <button type="button" className="secondary" aria-label={`Remove ${entry.title} from the history`} onClick={() => store.removeHistoryEntry(entry.id)}>
          Remove
        </button>
      </div>
    </li>
  );
}
