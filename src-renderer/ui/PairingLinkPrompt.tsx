import { useEffect, useId, useRef, useState } from 'react';
import { ferryApi } from '../platform';
import type { FerryView } from '../state/view';

/**
 * A `ferry://pair/<code>` link the OS opened (main validated it). Anyone can send such a link, and
 * pairing makes this device trust the other one's key, so a link never pairs by itself: the
 * person is asked, and told why to care. Only the latest link is shown.
 */
export function PairingLinkPrompt({ store, enabled }: { store: FerryView; enabled: boolean }) {
  const [code, setCode] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const id = useId();
  const section = useRef<HTMLElement>(null);

  useEffect(() => {
    let api: ReturnType<typeof ferryApi>;
    try {
      api = ferryApi();
    } catch {
      return undefined; // No bridge to main: the app says so already (boot's fatal error).
    }
    return api.onPairingLink((next) => {
      setCode(next);
      setError(undefined);
    });
  }, []);

  useEffect(() => {
    // Announce the question (focus on the prompt, not on either answer: Enter must not pair).
    if (code !== undefined) section.current?.focus();
  }, [code]);

  if (code === undefined) return null;

  const pair = () => {
    store.enterPairingCode(code).then(
      () => setCode(undefined),
      (cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)),
    );
  };

  return (
    <section ref={section} tabIndex={-1} aria-labelledby={`${id}-heading`} aria-describedby={`${id}-question`} className="card">
      <h2 id={`${id}-heading`}>Pairing link</h2>
      <p id={`${id}-question`}>
        A link asks to pair with the device showing code <strong className="mono">{code}</strong>. Pair only if you know who sent it.
      </p>
      <div className="row">
        <button type="button" disabled={!enabled} onClick={pair}>
          Pair with this code
        </button>
        <button type="button" className="secondary" onClick={() => setCode(undefined)}>
          Ignore
        </button>
      </div>
      {enabled ? null : <p className="subtle">Pairing starts once Ferry is connected to the signaling server.</p>}
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
