import { useSecondsTicker } from './use-seconds-ticker';
import { type FormEvent, useId, useState } from 'react';
import type { PairingStatus } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { formatDuration } from './format';

/** Pair a device by reading a short code aloud: show one, or enter the other device's. */
export function PairingPanel({ status, store, enabled }: { status: PairingStatus | undefined; store: FerryView; enabled: boolean }) {
  const [typed, setTyped] = useState('');
  const inputId = useId();
  const now = useSecondsTicker(status?.kind === 'showing');
  const enter = (event: FormEvent) => {
    event.preventDefault();
    // A refused code ends in the pairing status, in words.
    void store.enterPairingCode(typed).catch(() => {});
  };
  return (
    <section aria-labelledby={`${inputId}-heading`} className="card">
      <h2 id={`${inputId}-heading`}>Pair a device</h2>
      <p className="subtle">
        One device shows a code, the other types it in: either can do either. Paired devices recognise each other by their keys from then on, on any
        network.
      </p>
      <div className="row">
        <button type="button" disabled={!enabled} onClick={() => store.showPairingCode()}>
          Show a pairing code
        </button>
        {status?.kind === 'showing' ? (
          <button type="button" className="secondary" onClick={() => store.cancelPairing()}>
            Cancel pairing
          </button>
        ) : null}
      </div>
      {status?.kind === 'showing' ? (
        <p>
          Read this to the other person: <output aria-label="Pairing code" className="mono pairing-code">{status.code}</output>{' '}
          <span className="subtle">(good for one try, {formatDuration(Math.max(0, (status.expiresAt - now) / 1000))} left)</span>
        </p>
      ) : null}
      <form className="row" onSubmit={enter}>
        <label htmlFor={inputId}>Code from the other device</label>
        <input id={inputId} type="text" value={typed} placeholder="digits-word-word" autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
        <button type="submit" disabled={!enabled || typed.trim() === ''}>
          Pair
        </button>
      </form>
      <p role="status" aria-label="Pairing status" className={status?.kind === 'failed' ? 'field-error' : 'subtle'}>
        {describe(status)}
      </p>
    </section>
  );
}

function describe(status: PairingStatus | undefined): string {
  switch (status?.kind) {
    case undefined:
    case 'showing':
      return '';
    case 'working':
      return 'Pairing…';
    case 'paired':
      return `Paired with ${status.name}. If you like, check that the other screen shows these same words: ${status.sas.join(' ')}`;
    case 'failed':
      return status.message;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

