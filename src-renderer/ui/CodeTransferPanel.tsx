import { type ChangeEvent, type FormEvent, useId, useRef, useState } from 'react';
import type { CodeTransferStatus } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { ErrorLine } from './ErrorLine';
import { formatDuration } from './format';
import { useAction } from './use-action';
import { useSecondsTicker } from './use-seconds-ticker';

/**
 * Send or receive with a one-time code, with a device that is not paired (or not yet known): the
 * sender picks files and reads the code out; whoever types it receives them. Nothing is kept of
 * the other device afterwards.
 */
export function CodeTransferPanel({ status, store, enabled }: { status: CodeTransferStatus | undefined; store: FerryView; enabled: boolean }) {
  const [typed, setTyped] = useState('');
  const id = useId();
  const filesInput = useRef<HTMLInputElement>(null);
  const { error, run } = useAction();
  const now = useSecondsTicker(status?.kind === 'showing');
  const onPicked = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    run(store.sendFilesWithCode(files));
  };
  const receive = (event: FormEvent) => {
    event.preventDefault();
    run(store.receiveWithCode(typed));
  };
  return (
    <section aria-labelledby={`${id}-heading`} className="card">
      <h2 id={`${id}-heading`}>Send or receive with a code</h2>
      <p className="subtle">For a device that is not paired: the sender reads a one-time code out, the receiver types it. Nothing is kept of the other device.</p>
      <div className="row">
        <button type="button" disabled={!enabled} onClick={() => filesInput.current?.click()}>
          Send with a code…
        </button>
        <input ref={filesInput} type="file" multiple hidden aria-label="Files to send with a code" onChange={onPicked} />
        {status?.kind === 'showing' || status?.kind === 'working' ? (
          <button type="button" className="secondary" onClick={() => store.cancelCodeTransfer()}>
            Cancel the code
          </button>
        ) : null}
      </div>
      {status?.kind === 'showing' ? (
        <p>
          Read this to the receiver: <output aria-label="Transfer code" className="mono pairing-code">{status.code}</output>{' '}
          <span className="subtle">(good for one try, {formatDuration(Math.max(0, (status.expiresAt - now) / 1000))} left)</span>
        </p>
      ) : null}
      <form className="row" onSubmit={receive}>
        <label htmlFor={`${id}-code`}>Code from the sender</label>
        <input id={`${id}-code`} type="text" value={typed} placeholder="digits-word-word" autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
        <button type="submit" disabled={!enabled || typed.trim() === ''}>
          Receive
        </button>
      </form>
      <p role="status" aria-label="Code transfer status" className={status?.kind === 'failed' ? 'field-error' : 'subtle'}>
        {describe(status)}
      </p>
      <ErrorLine error={error} />
    </section>
  );
}

function describe(status: CodeTransferStatus | undefined): string {
  switch (status?.kind) {
    case undefined:
    case 'showing':
      return '';
    case 'working':
      return 'Checking the code…';
    case 'connected':
      return status.role === 'send' ? `Sending to ${status.name}: see Transfers.` : `Receiving from ${status.name}: see Transfers.`;
    case 'failed':
      return status.message;
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}
