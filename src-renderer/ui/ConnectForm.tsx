import { type FormEvent, useId, useState } from 'react';
import type { FerryView } from '../state/view';

/** The developer path to a peer until pairing exists: type its id. */
export function ConnectForm({ store, enabled }: { store: FerryView; enabled: boolean }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const inputId = useId();
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    store.connectTo(value).then(
      () => {
        setValue('');
        setError(undefined);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };

  return (
    <section aria-labelledby="connect-heading" className="card">
      <h2 id="connect-heading">Connect to a device</h2>
      <form onSubmit={submit} className="row">
        <label htmlFor={inputId}>Device id to connect to</label>
        <input
          id={inputId}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="ferry-…"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
        <button type="submit" disabled={!enabled || value.trim() === ''}>
          Connect
        </button>
      </form>
      {error ? (
        <p id={errorId} role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
