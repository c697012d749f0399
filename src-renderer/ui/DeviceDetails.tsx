import { ErrorLine } from './ErrorLine';
import { type FormEvent, useId, useState } from 'react';
import { DEVICE_NAME_MAX } from '../../src-engine/index';
import type { DeviceEntry } from '../state/device-entries';
import type { FerryView } from '../state/view';
import { KIND_WORDS } from './DeviceIcon';
import { useAction } from './use-action';

/** What a tile keeps out of sight until asked: the device's id, its key words, rename, unpair. */
export function DeviceDetails({ entry, store }: { entry: DeviceEntry; store: FerryView }) {
  const [mode, setMode] = useState<'idle' | 'renaming' | 'confirm-unpair'>('idle');
  const [name, setName] = useState(entry.name);
  const { error, run, setError } = useAction();
  const [copied, setCopied] = useState(false);
  const renameId = useId();
  const fieldErrors = (result: Record<string, string> | undefined, onOk: () => void) => {
    if (result) setError(Object.values(result).join(' '));
    else onOk();
  };
  const rename = (event: FormEvent) => {
    event.preventDefault();
    run(store.renameDevice(entry.peerId, name).then((result) => fieldErrors(result, () => setMode('idle'))));
  };
  const copyId = () =>
    run(
      store.copyText(entry.peerId).then(() => {
        setCopied(true);
        window.setTimeout(() => setCopied(false), 1500);
      }),
    );
  return (
    <div className="device-details" role="group" aria-label={`Details of ${entry.name}`}>
      <dl className="facts">
        <dt>Device id</dt>
        <dd>
          <span className="mono">{entry.peerId}</span>
          <button type="button" className="link" aria-label={`Copy the id of ${entry.name}`} onClick={copyId}>
            {copied ? 'Copied' : 'Copy id'}
          </button>
        </dd>
        <dt>Runs Ferry as</dt>
        <dd>{entry.kind ? KIND_WORDS[entry.kind] : 'Known once it connects.'}</dd>
        <dt>Key words</dt>
        <dd>
          {entry.keyWords ? <span aria-label={`Key words of ${entry.name}`}>{entry.keyWords.join(' ')}</span> : <span className="subtle">Known once it connects.</span>}
        </dd>
      </dl>
      <p className="subtle">
        {entry.paired
          ? `Paired: every connection proves it holds the key these words come from.`
          : `Not paired: these words are what it proved this time; pair it to check them once and for all.`}
      </p>
      {entry.paired ? (
        mode === 'renaming' ? (
          <form className="row" onSubmit={rename}>
            <label htmlFor={renameId}>New name for {entry.name}</label>
            <input id={renameId} type="text" value={name} maxLength={DEVICE_NAME_MAX} onChange={(e) => setName(e.target.value)} />
            <button type="submit">Save name</button>
            <button type="button" className="secondary" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : mode === 'confirm-unpair' ? (
          <div className="row" role="group" aria-label={`Unpair ${entry.name}?`}>
            <span>Unpair {entry.name}? It will no longer be trusted here, and it is told so the next time it connects.</span>
            <button type="button" onClick={() => run(store.unpairDevice(entry.peerId).then((result) => fieldErrors(result, () => setMode('idle'))))}>
              Unpair
            </button>
            <button type="button" className="secondary" onClick={() => setMode('idle')}>
              Keep
            </button>
          </div>
        ) : (
          <div className="row">
            <button type="button" className="secondary" aria-label={`Rename ${entry.name}`} onClick={() => (setName(entry.name), setMode('renaming'))}>
              Rename
            </button>
            <button type="button" className="secondary" aria-label={`Unpair ${entry.name}`} onClick={() => setMode('confirm-unpair')}>
              Unpair
            </button>
          </div>
        )
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}
