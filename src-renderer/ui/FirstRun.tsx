import { ErrorLine } from './ErrorLine';
import { type FormEvent, useId, useState } from 'react';
import { DEVICE_NAME_MAX, type FerrySettings } from '../../src-engine/index';
import type { FerryView } from '../state/view';

/**
 * The first start: name this device (the computer's name is offered), see where received files
 * go, and one sentence on pairing. Not modal: Ferry works meanwhile, and it goes once answered.
 */
export function FirstRun({ settings, downloadDir, store }: { settings: FerrySettings; downloadDir: string | undefined; store: FerryView }) {
  const [name, setName] = useState(settings.deviceName);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  if (settings.welcomed) return null;
  const done = (event: FormEvent) => {
    event.preventDefault();
    store.saveSettings({ deviceName: name, welcomed: true }).then(
      (fieldErrors) => setError(fieldErrors ? Object.values(fieldErrors).join(' ') : undefined),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <section aria-labelledby={`${id}-heading`} className="card welcome">
      <h2 id={`${id}-heading`}>Welcome to Ferry</h2>
      <form onSubmit={done}>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name this device</label>
          <input id={`${id}-name`} type="text" value={name} maxLength={DEVICE_NAME_MAX} onChange={(e) => setName(e.target.value)} />
          <p className="subtle">Other devices see this name.</p>
        </div>
        <p>
          Received files go to <span className="mono">{downloadDir ?? 'your Downloads folder'}</span>.{' '}
          <button type="button" className="link" onClick={() => void store.chooseDownloadDir()}>
            Choose another folder…
          </button>
        </p>
        <p className="subtle">To send to another computer, pair it once: show a code on one, type it on the other. After that they find each other by themselves.</p>
        <ErrorLine error={error} />
        <button type="submit">Start using Ferry</button>
      </form>
    </section>
  );
}
