import { useSecondsTicker } from './use-seconds-ticker';
import { useState } from 'react';
import type { SignalingState } from '../../src-engine/index';
import type { LanStatus } from '../../src-main/preload/api';
import type { EngineSnapshot } from '../../src-engine/index';

export function DeviceCard({ snapshot }: { snapshot: EngineSnapshot }) {
  const { device, signaling, signalingConfig } = snapshot;
  const [copied, setCopied] = useState(false);
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
        <dd>{device?.name ?? '…'}</dd>
        <dt id="device-id-label">Your device id</dt>
        <dd>
          <output aria-labelledby="device-id-label" className="mono">
            {peerId ?? '…'}
          </output>{' '}
          <button type="button" onClick={() => void copyId()} disabled={!peerId}>
            {copied ? 'Copied' : 'Copy id'}
          </button>
        </dd>
        <dt id="own-key-words-label">Key words</dt>
        <dd>
          <span aria-labelledby="own-key-words-label">{snapshot.ownKeyWords?.join(' ') ?? '…'}</span>
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
