import type { HistoryEntry, TransferFile, TransferRow, TransferState } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { formatBytes, formatDuration, formatRate } from './format';
import { outcomeWords } from './outcome-words';

const STATE_WORDS: Record<TransferState, string> = {
  offered: 'Wants to send you files',
  waiting: 'Waiting for the other device to accept',
  active: 'In progress',
  paused: 'Paused',
  interrupted: 'Interrupted',
  done: 'Done, verified',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** What a transfer is doing, in words: sending or receiving, then verifying the last bytes. */
function stateWords(t: TransferRow, name: string): string {
  if (t.state === 'interrupted') return `Paused — waiting for ${name}`;
  if (t.state !== 'active') return STATE_WORDS[t.state];
  if (t.bytesDone >= t.totalBytes && t.totalBytes > 0) return 'Verifying';
  return t.direction === 'out' ? 'Sending' : 'Receiving';
}

/** A file's own progress: transfers move files in manifest order, so its share of the bytes done. */
function fileState(t: TransferRow, f: TransferFile): { bytes: number; words: string } {
  if (f.done) return { bytes: f.size, words: 'Done, verified' };
  const bytes = Math.max(0, Math.min(f.size, t.bytesDone - f.offset));
  if (t.state !== 'active') return { bytes, words: STATE_WORDS[t.state] };
  if (bytes >= f.size) return { bytes, words: 'Verifying' };
  return { bytes, words: bytes > 0 ? (t.direction === 'out' ? 'Sending' : 'Receiving') : 'Waiting' };
}

/** One transfer, with the device it is with: its state, progress, per-file detail and controls. */
export function TransferItem({ peerId, name, transfer: t, history, store }: { peerId: string; name: string; transfer: TransferRow; history?: HistoryEntry | undefined; store: FerryView }) {
  // Who ended it, for a cancel or decline: a person's own choice is said plainly.
  const outcome = history && (history.state === 'cancelled' || history.state === 'declined') ? outcomeWords(history) : undefined;
  const ended = ENDED.has(t.state);
  return (
    <li
      aria-label={`${t.title} ${t.direction === 'out' ? 'to' : 'from'} ${name}`}
      className={`transfer transfer-${t.state}${ended ? ' transfer-ended' : ''}${t.endedBy === 'here' ? ' transfer-own-choice' : ''}`}
    >
      <div className="transfer-head">
        <span className="transfer-title">
          {t.direction === 'out' ? 'To' : 'From'} {name}: {t.title}
        </span>
        <span className="transfer-state" role="status" aria-label={`State of ${t.title}`}>
          {stateWords(t, name)}
        </span>
      </div>
      {t.state === 'offered' ? (
        <p className="transfer-meta">{`${formatBytes(t.totalBytes)} · answer at the top of the window`}</p>
      ) : ended && t.fileCount === 0 && t.totalBytes === 0 ? null : (
        // An offer refused unseen has no files to count: its words say it all.
        <Progress transfer={t} bar={!ended} />
      )}
      {outcome ? (
        <p role="status" aria-label={`Outcome of ${t.title}`} className="subtle">
          {outcome}
        </p>
      ) : t.error && t.state !== 'done' ? (
        <p className={t.endedBy === 'here' ? 'subtle' : 'field-error'}>{t.error}</p>
      ) : null}
      <div className="row">
        {t.state === 'active' ? (
          <button type="button" className="secondary" onClick={() => store.pauseTransfer(peerId, t.key)}>
            {`Pause ${t.title}`}
          </button>
        ) : null}
        {t.state === 'waiting' || t.state === 'active' ? (
          <button type="button" className="secondary" onClick={() => store.cancelTransfer(peerId, t.key)}>
            {`Cancel ${t.title}`}
          </button>
        ) : null}
        {t.state === 'paused' || t.state === 'interrupted' ? (
          <button type="button" onClick={() => store.resumeTransfer(peerId, t.key)}>
            {`Resume ${t.title}`}
          </button>
        ) : null}
        {t.state === 'interrupted' || t.state === 'paused' ? (
          <button type="button" className="secondary" onClick={() => store.discardTransfer(peerId, t.key)}>
            {`Discard ${t.title}`}
          </button>
        ) : null}
        {t.state === 'done' && t.savedPaths[0] ? (
          <>
            {t.savedPaths.length === 1 && t.fileCount === 1 ? (
              <button type="button" className="secondary" onClick={() => store.openPath(t.savedPaths[0] as string)}>
                {`Open ${t.title}`}
              </button>
            ) : null}
            <button type="button" className="secondary" onClick={() => store.showInFolder(t.savedPaths[0] as string)}>
              {`Show ${t.title} in folder`}
            </button>
          </>
        ) : null}
        {history ? (
          <button type="button" className="secondary" aria-label={`Remove ${t.title} from the history`} onClick={() => store.removeHistoryEntry(history.id)}>
            Remove
          </button>
        ) : null}
      </div>
    </li>
  );
}

/** States a transfer does not leave: its row is a line of history, with no bar to watch. */
const ENDED: ReadonlySet<TransferState> = new Set(['done', 'declined', 'cancelled', 'failed']);

function Progress({ transfer: t, bar }: { transfer: TransferRow; bar: boolean }) {
  const active = t.state === 'active' && t.bytesPerSecond > 0;
  const left = active ? (t.totalBytes - t.bytesDone) / t.bytesPerSecond : Number.NaN;
  return (
    <>
      {bar ? <progress aria-label={`Progress of ${t.title}`} max={Math.max(1, t.totalBytes)} value={t.bytesDone} /> : null}
      <div className="transfer-meta">
        {formatBytes(t.bytesDone)} of {formatBytes(t.totalBytes)} · {t.fileCount} {t.fileCount === 1 ? 'file' : 'files'}
        {active ? ` · ${formatRate(t.bytesPerSecond)} · ${formatDuration(left)} left` : ''}
      </div>
      {t.fileCount > 1 ? (
        <details className="transfer-files">
          <summary>Files</summary>
          <ul aria-label={`Files of ${t.title}`}>
            {t.files.map((f) => {
              const { bytes, words } = fileState(t, f);
              return (
                <li key={f.index} className="transfer-file">
                  <span className="transfer-file-name">{f.path}</span>
                  <progress aria-label={`Progress of ${f.path}`} max={Math.max(1, f.size)} value={bytes} />
                  <span role="status" aria-label={`State of ${f.path}`} className="subtle">
                    {words}
                  </span>
                </li>
              );
            })}
            {t.fileCount > t.files.length ? <li className="subtle">and {t.fileCount - t.files.length} more</li> : null}
          </ul>
        </details>
      ) : null}
    </>
  );
}
