import { type ChangeEvent, type DragEvent, type FormEvent, type KeyboardEvent, useId, useRef, useState } from 'react';
import { TransferList } from './TransferList';
import type { ChatLine, Conversation } from '../../src-engine/index';
import type { FerryView } from '../state/view';

const STATE_WORDS: Record<Conversation['state'], string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  closed: 'Disconnected',
  failed: 'Connection failed',
};

const DELIVERY_WORDS: Record<ChatLine['delivery'], string> = {
  sending: 'Sending…',
  delivered: 'Delivered',
  failed: 'Not delivered',
  received: 'Received',
};

export function ConversationPanel({ conversation, store }: { conversation: Conversation; store: FerryView }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>();
  const inputId = useId();
  const name = conversation.peerName ?? conversation.peerId;
  const open = conversation.state === 'open';

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    if (draft.trim() === '') return;
    store.sendText(conversation.peerId, draft).then(
      () => {
        setDraft('');
        setError(undefined);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };

  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const onPicked = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    store.sendFiles(conversation.peerId, files).then(
      () => setError(undefined),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };

  // The whole tile takes drops of files and folders while the device is connected.
  const [dropHover, setDropHover] = useState(false);
  const onDragOver = (event: DragEvent<HTMLElement>) => {
    if (!open || !event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDropHover(true);
  };
  const onDragLeave = (event: DragEvent<HTMLElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropHover(false);
  };
  const onDrop = (event: DragEvent<HTMLElement>) => {
    if (!open) return;
    event.preventDefault();
    setDropHover(false);
    // Dropped files and folders as they are (the engine walks folders, empty ones included).
    store.sendFiles(conversation.peerId, [...event.dataTransfer.files]).then(
      () => setError(undefined),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) send(event);
  };

  return (
    <section
      aria-label={`Conversation with ${name}`}
      className={`card conversation tile${dropHover ? ' drop-target' : ''}`}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {dropHover ? (
        <p role="status" aria-label={`Drop on ${name}`} className="drop-hint">
          {`Drop to send to ${name}`}
        </p>
      ) : null}
      <header className="conversation-header">
        <h2>{name}</h2>
        <p role="status" aria-label={`Connection to ${name}`} className={`pill pill-${conversation.state}`}>
          {STATE_WORDS[conversation.state]}
        </p>
        {open && conversation.path ? (
          <p role="status" aria-label={`Path to ${name}`} className="pill">
            {conversation.path === 'direct' ? 'Direct' : 'Relayed through TURN'}
          </p>
        ) : null}
      </header>
      {conversation.peerName ? <p className="mono subtle">{conversation.peerId}</p> : null}
      {conversation.error ? (
        <p role="alert" className="field-error">
          {conversation.error}
        </p>
      ) : null}
      {conversation.state === 'failed' || conversation.state === 'closed' ? (
        <div className="row">
          <button type="button" onClick={() => store.connectTo(conversation.peerId).then(() => setError(undefined), (e: unknown) => setError(e instanceof Error ? e.message : String(e)))}>
            {`Connect to ${name} again`}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => store.removeConversation(conversation.peerId).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))}
          >
            {`Remove ${name} from the list`}
          </button>
        </div>
      ) : null}
      <ol role="log" aria-label={`Messages with ${name}`} className="messages">
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
      <TransferList peerId={conversation.peerId} name={name} transfers={conversation.transfers} store={store} />
      <div className="row">
        <button type="button" disabled={!open} onClick={() => filesInput.current?.click()}>
          {`Send files to ${name}`}
        </button>
        <button type="button" disabled={!open} className="secondary" onClick={() => folderInput.current?.click()}>
          {`Send a folder to ${name}`}
        </button>
        <input ref={filesInput} type="file" multiple hidden aria-label={`Files to send to ${name}`} onChange={onPicked} />
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label={`Folder to send to ${name}`}
          onChange={onPicked}
          {...{ webkitdirectory: '' }}
        />
      </div>
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
        <button type="submit" disabled={!open || draft.trim() === ''}>
          Send message
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!open}
          onClick={() =>
            store.sendClipboard(conversation.peerId).then(
              () => setError(undefined),
              (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
            )
          }
        >
          {`Send clipboard to ${name}`}
        </button>
      </form>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
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
