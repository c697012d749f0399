import { ErrorLine } from './ErrorLine';
import { useSecondsTicker } from './use-seconds-ticker';
import { type FormEvent, useId, useState } from 'react';
import { DEVICE_NAME_MAX, type SignalingState } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { useAction } from './use-action';
import type { LanStatus } from '../../src-main/preload/api';
import type { EngineSnapshot } from '../../src-engine/index';

/** This device: its name (editable), its id to give out, its key words on demand, its server. */
export function DeviceCard({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const { device, signaling, signalingConfig } = snapshot;
  const [copied, setCopied] = useState(false);
  const [showWords, setShowWords] = useState(false);
  const peerId = signaling?.peerId;

  const copyId = async () => {
    if (!peerId) return;
    try {
      await navigator.clipboard.writeText(peerId);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section aria-labelledby="my-device-heading" className="card device-card">
      <h2 id="my-device-heading">This device</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>
          <NameEditor name={snapshot.settings?.deviceName ?? device?.name} store={store} />
        </dd>
        <dt id="device-id-label">Your device id</dt>
        <dd>
          <output aria-labelledby="device-id-label" className="mono">
            {peerId ?? '…'}
          </output>{' '}
          <button type="button" className="secondary" onClick={() => void copyId()} disabled={!peerId}>
            {copied ? 'Copied' : 'Copy id'}
          </button>
        </dd>
        <dt id="own-key-words-label">Key words</dt>
        <dd>
          {showWords ? <span aria-labelledby="own-key-words-label">{snapshot.ownKeyWords?.join(' ') ?? '…'}</span> : null}
          <button type="button" className="link" aria-expanded={showWords} onClick={() => setShowWords(!showWords)}>
            {showWords ? 'Hide my key words' : 'Show my key words'}
          </button>
        </dd>
        <dt>Signaling server</dt>
        <dd>
          <span role="status" aria-label="Signaling server in use">
            {signalingConfig ? (signalingConfig.embedded ? builtInWords(snapshot.lanStatus) : signalingConfig.url) : '…'}
          </span>
        </dd>
      </dl>
      <SignalingStatus state={signaling} />
    </section>
  );
}

/** The signaling connection in words; trouble also shows as a banner at the top, with Retry now. */
function SignalingStatus({ state }: { state: SignalingState | undefined }) {
  const now = useSecondsTicker(state?.kind === 'reconnecting');
  let text: string;
  let tone: 'ok' | 'busy' | 'bad';
  switch (state?.kind) {
    case undefined:
    case 'connecting':
      text = 'Connecting to the signaling server…';
      tone = 'busy';
      break;
    case 'connected':
      text = 'Connected';
      tone = 'ok';
      break;
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      text = `${state.lastError} Reconnecting in ${seconds} s (attempt ${state.attempt}).`;
      tone = 'busy';
      break;
    }
    case 'offline':
      text = `Offline: ${state.reason}`;
      tone = 'bad';
      break;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
  return (
    <div className="status-row">
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      <p role="status" aria-label="Signaling connection" className="status-text">
        {text}
      </p>
    </div>
  );
}


/** The built-in server in words: here, on another Ferry of this network, or still looking. */
function builtInWords(status: LanStatus | undefined): string {
  switch (status?.kind) {
    case undefined:
    case 'searching':
      return 'Built-in: looking for Ferry on this network…';
    case 'hosting':
      return `Built-in: hosted on this computer (port ${status.port})`;
    case 'joined':
      return `Built-in: on another Ferry at ${status.host}:${status.port}`;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

/** The name other devices see, changed in place (saved in the settings, told to devices as they connect). */
function NameEditor({ name, store }: { name: string | undefined; store: FerryView }) {
  const [draft, setDraft] = useState<string | undefined>();
  const { error, run, setError } = useAction();
  const id = useId();
  if (draft === undefined) {
    return (
      <>
        <span>{name ?? '…'}</span>
        <button type="button" className="link" disabled={name === undefined} onClick={() => setDraft(name ?? '')}>
          Rename this device
        </button>
      </>
    );
  }
  const save = (event: FormEvent) => {
    event.preventDefault();
    run(store.saveSettings({ deviceName: draft }).then((fieldErrors) => {
      if (fieldErrors) setError(Object.values(fieldErrors).join(' '));
      else setDraft(undefined);
    }));
  };
  return (
    <form className="row" onSubmit={save}>
      <label htmlFor={id} className="visually-hidden">
        Name of this device
      </label>
      <input id={id} type="text" value={draft} maxLength={DEVICE_NAME_MAX} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit">Save name</button>
      <button type="button" className="secondary" onClick={() => (setDraft(undefined), setError(undefined))}>
        Cancel
      </button>
      <ErrorLine error={error} />
    </form>
  );
}
