import { ErrorLine } from './ErrorLine';
import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';
import type { ChatLine, Conversation } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { useAction } from './use-action';

const DELIVERY_WORDS: Record<ChatLine['delivery'], string> = {
  sending: 'Sending…',
  delivered: 'Delivered',
  failed: 'Not delivered',
  received: 'Received',
};

/** Messages with one device, opened from its tile: the log scrolls, the tile does not grow. */
export function ConversationPanel({ conversation, name, store }: { conversation: Conversation; name: string; store: FerryView }) {
  const [draft, setDraft] = useState('');
  const { error, run } = useAction();
  const inputId = useId();
  const open = conversation.state === 'open';

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    if (draft.trim() === '') return;
    run(store.sendText(conversation.peerId, draft), () => setDraft(''));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) send(event);
  };

  return (
    <section aria-label={`Conversation with ${name}`} className="conversation">
      <ol role="log" aria-label={`Messages with ${name}`} className="messages">
        {conversation.lines.length === 0 ? <li className="subtle">No messages yet.</li> : null}
        {conversation.lines.map((line) => (
          <li key={`${line.direction}-${line.id}`} className={`message message-${line.direction}`}>
            <span className="message-body">{line.body}</span>
            <span className="message-meta">
              {new Date(line.at).toLocaleTimeString()} · {DELIVERY_WORDS[line.delivery]}
              {line.direction === 'in' ? (
                <>
                  {' · '}
                  <CopyButton text={line.body} label={`Copy message from ${name}`} store={store} />
                </>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
      <form onSubmit={send} className="composer">
        <label htmlFor={inputId} className="visually-hidden">
          {`Message to ${name}`}
        </label>
        <textarea
          id={inputId}
          rows={2}
          value={draft}
          maxLength={10_000}
          disabled={!open}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={open ? 'Write a message' : 'Not connected'}
        />
        <div className="composer-actions">
          <button type="submit" disabled={!open || draft.trim() === ''}>
            Send message
          </button>
          <button type="button" className="secondary" disabled={!open} onClick={() => run(store.sendClipboard(conversation.peerId))}>
            {`Send clipboard to ${name}`}
          </button>
        </div>
      </form>
      <ErrorLine error={error} />
    </section>
  );
}

function CopyButton({ text, label, store }: { text: string; label: string; store: FerryView }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="link"
      aria-label={label}
      onClick={() =>
        store.copyText(text).then(
          () => {
            setCopied(true);
            window.setTimeout(() => setCopied(false), 1500);
          },
          () => setCopied(false),
        )
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
