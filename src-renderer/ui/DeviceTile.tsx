import { ErrorLine } from './ErrorLine';
import { type ChangeEvent, useRef, useState } from 'react';
import { type DeviceEntry, isOpen } from '../state/device-entries';
import type { FerryView } from '../state/view';
import { ConversationPanel } from './ConversationPanel';
import { DeviceDetails } from './DeviceDetails';
import { DeviceIcon } from './DeviceIcon';
import { CONNECTION_WORDS, presenceTone, presenceWords } from './device-words';
import { useAction } from './use-action';
import { useFileDrop } from './use-file-drop';

/**
 * One device: its name, kind, whether it is paired, its state and path; a drop target for files
 * and folders while connected. Its id and key words, and its messages, open from the tile.
 */
export function DeviceTile({ entry, store, canConnect, now }: { entry: DeviceEntry; store: FerryView; canConnect: boolean; now: number }) {
  const { name, conversation } = entry;
  const open = isOpen(entry);
  const { error, run } = useAction();
  const [panel, setPanel] = useState<'none' | 'messages' | 'details'>('none');
  // Messages that arrived while the panel was shut are counted on its button.
  const incoming = conversation?.lines.filter((l) => l.direction === 'in').length ?? 0;
  const [seen, setSeen] = useState(0);
  const unread = panel === 'messages' ? 0 : Math.max(0, incoming - seen);
  const toggle = (which: 'messages' | 'details') => {
    if (panel === 'messages' || which === 'messages') setSeen(incoming);
    setPanel(panel === which ? 'none' : which);
  };

  const send = (files: File[]) => run(store.sendFiles(entry.peerId, files));
  const drop = useFileDrop(open, send);
  const filesInput = useRef<HTMLInputElement>(null);
  const onPicked = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    send(files);
  };

  const state = conversation?.state;
  const dialing = state === 'connecting';
  const ended = state === 'failed' || state === 'closed';
  // A nearby device never met has no name of its own: its button says which one by id.
  const connectLabel = ended ? `Connect to ${name} again` : `Connect to ${entry.named ? name : entry.peerId}`;

  return (
    <article aria-label={`Device ${name}`} className={`card device-tile tile${drop.hover ? ' drop-target' : ''}${panel !== 'none' ? ' expanded' : ''}`} {...drop.handlers}>
      {drop.hover ? (
        <p role="status" aria-label={`Drop on ${name}`} className="drop-hint">
          {`Drop to send to ${name}`}
        </p>
      ) : null}
      <header className="tile-head">
        <DeviceIcon kind={entry.kind} />
        <h3 className="tile-name">{name}</h3>
        <span className={`pill${entry.paired ? ' pill-paired' : ''}`}>{entry.paired ? 'Paired' : 'Not paired'}</span>
      </header>
      <div className="tile-states">
        {state ? (
          <p role="status" aria-label={`Connection to ${name}`} className={`pill pill-${state}`}>
            {CONNECTION_WORDS[state]}
          </p>
        ) : null}
        {open && conversation?.path ? (
          <p role="status" aria-label={`Path to ${name}`} className="pill">
            {conversation.path === 'direct' ? 'Direct' : 'Relayed'}
          </p>
        ) : null}
        {entry.nearby && !state ? <p className="pill">Nearby</p> : null}
        {!entry.paired && !entry.nearby && !state ? <p className="pill">Not connected</p> : null}
      </div>
      {entry.paired ? (
        <p className="status-row presence">
          <span className={`dot dot-${presenceTone(entry.presence)}`} aria-hidden="true" />
          <span role="status" aria-label={`Presence of ${name}`} className={entry.presence?.kind === 'unpaired-there' ? 'field-error' : 'subtle'}>
            {presenceWords(entry.presence, now)}
          </span>
        </p>
      ) : null}
      {conversation?.error ? (
        <p role="alert" className="field-error">
          {conversation.error}
        </p>
      ) : null}
      {/* Short words on the buttons, so a dozen tiles fit a window; each is named in full for
          screen readers and tests, and the name contains the visible words (WCAG 2.5.3). */}
      <div className="row tile-actions">
        {open ? (
          <>
            <button type="button" aria-label={`Send files to ${name}`} onClick={() => filesInput.current?.click()}>
              Send files
            </button>
            <button type="button" className="secondary" aria-label={`Send a folder to ${name}`} onClick={() => run(store.pickFolderToSend().then((paths) => paths && store.sendPaths([entry.peerId], paths)))}>
              Folder
            </button>
          </>
        ) : (
          <button type="button" disabled={!canConnect || dialing} onClick={() => run(store.connectTo(entry.peerId))}>
            {connectLabel}
          </button>
        )}
        {ended && !entry.paired ? (
          <button type="button" className="secondary" onClick={() => run(store.removeConversation(entry.peerId))}>
            {`Remove ${name} from the list`}
          </button>
        ) : null}
        <input ref={filesInput} type="file" multiple hidden aria-label={`Files to send to ${name}`} onChange={onPicked} />
      </div>
      <div className="row tile-actions">
        {conversation ? (
          <button type="button" className="secondary" aria-label={`Messages with ${name}${unread > 0 ? `, ${unread} new` : ''}`} aria-expanded={panel === 'messages'} onClick={() => toggle('messages')}>
            Messages
            {unread > 0 ? <span className="badge" aria-hidden="true">{unread}</span> : null}
          </button>
        ) : null}
        <button type="button" className="secondary" aria-label={`Details of ${name}`} aria-expanded={panel === 'details'} onClick={() => toggle('details')}>
          Details
        </button>
      </div>
      <ErrorLine error={error} />
      {panel === 'details' ? <DeviceDetails entry={entry} store={store} /> : null}
      {panel === 'messages' && conversation ? <ConversationPanel conversation={conversation} name={name} store={store} /> : null}
    </article>
  );
}
