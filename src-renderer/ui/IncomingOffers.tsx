import { useEffect, useId, useState } from 'react';
import type { Conversation, EngineSnapshot, TransferRow } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { formatBytes } from './format';

interface PendingOffer {
  conversation: Conversation;
  transfer: TransferRow;
}

/** Offers waiting for an answer, from every device, oldest device first. */
function pendingOffers(snapshot: EngineSnapshot): PendingOffer[] {
  return snapshot.conversations.flatMap((conversation) => conversation.transfers.filter((t) => t.state === 'offered').map((transfer) => ({ conversation, transfer })));
}

/**
 * The receive prompt: every offer waiting for an answer, each its own, pinned at the top of the
 * window whatever is scrolled, and counted in the window's title. Focus is not moved to it: a
 * person typing a message must not answer an offer with Enter.
 */
export function IncomingOffers({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const offers = pendingOffers(snapshot);
  useEffect(() => {
    document.title = offers.length > 0 ? `(${offers.length}) Ferry` : 'Ferry';
  }, [offers.length]);
  if (offers.length === 0) return null;
  const paired = new Set((snapshot.settings?.trustedDevices ?? []).filter((d) => d.publicKey !== undefined).map((d) => d.peerId));
  return (
    <section role="dialog" aria-modal="false" aria-labelledby="incoming-heading" className="incoming card">
      <h2 id="incoming-heading" aria-live="polite">
        {offers.length === 1 ? 'Someone wants to send you files' : `${offers.length} offers are waiting for you`}
      </h2>
      {offers.map(({ conversation, transfer }) => (
        <OfferPrompt
          key={`${conversation.peerId}/${transfer.key}`}
          conversation={conversation}
          transfer={transfer}
          paired={paired.has(conversation.peerId)}
          downloadDir={snapshot.downloadDir}
          store={store}
        />
      ))}
    </section>
  );
}

/** Who (name, paired or not, key words), what (top-level files and folders, sizes), the total, and where it goes. */
function OfferPrompt({ conversation, transfer: t, paired, downloadDir, store }: { conversation: Conversation; transfer: TransferRow; paired: boolean; downloadDir: string | undefined; store: FerryView }) {
  const [always, setAlways] = useState(false);
  const alwaysId = useId();
  const name = conversation.peerName ?? conversation.peerId;
  const more = t.tops.length > 0 ? t.fileCount - t.tops.reduce((n, top) => n + top.fileCount, 0) : 0;
  return (
    <div role="group" aria-label={`Offer from ${name}`} className="offer">
      <p className="offer-lead">
        <strong>{name}</strong> wants to send you {t.fileCount} {t.fileCount === 1 ? 'file' : 'files'}, {formatBytes(t.totalBytes)} in all.
      </p>
      <p className="transfer-meta">
        <span className={`pill${paired ? ' pill-open' : ''}`}>{paired ? 'Paired' : 'Not paired'}</span>
        {conversation.keyWords ? (
          <>
            {' '}
            Key words: <span aria-label={`Key words of ${name}`}>{conversation.keyWords.join(' ')}</span>
          </>
        ) : null}
        {downloadDir ? ` · Saved to ${downloadDir}` : ''}
      </p>
      <ul aria-label={`Files offered by ${name}`} className="offer-files">
        {t.tops.map((top) => (
          <li key={top.name}>
            <span>{top.kind === 'folder' ? `${top.name}/` : top.name}</span>
            <span className="subtle">{top.kind === 'folder' ? `${top.fileCount} ${top.fileCount === 1 ? 'file' : 'files'}, ${formatBytes(top.bytes)}` : formatBytes(top.bytes)}</span>
          </li>
        ))}
        {more > 0 ? <li className="subtle">and {more} more {more === 1 ? 'file' : 'files'}</li> : null}
      </ul>
      {t.spaceProblem ? (
        <p role="alert" className="field-error">
          {t.spaceProblem}
        </p>
      ) : null}
      <div className="row">
        <button type="button" disabled={t.spaceProblem !== undefined} onClick={() => store.acceptTransfer(conversation.peerId, t.key, { alwaysAccept: always })}>
          Accept
        </button>
        <button type="button" className="secondary" onClick={() => store.declineTransfer(conversation.peerId, t.key)}>
          Decline
        </button>
        <span className="check">
          <input id={alwaysId} type="checkbox" checked={always} onChange={(e) => setAlways(e.target.checked)} />
          <label htmlFor={alwaysId}>Always accept from this device</label>
        </span>
      </div>
    </div>
  );
}
