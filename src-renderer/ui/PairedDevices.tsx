import { useSecondsTicker } from './use-seconds-ticker';
import { type FormEvent, useState } from 'react';
import { decodeBase64, keyFingerprintWords } from '../../src-core/index';
import type { Presence } from '../../src-engine/index';
import type { EngineSnapshot } from '../../src-engine/index';
import type { FerryView } from '../state/view';
import { DEVICE_NAME_MAX, pairedDevices, type TrustedDevice } from '../../src-engine/index';

/** Paired devices: presence, their key's words, rename, unpair. */
export function PairedDevices({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const devices = pairedDevices(snapshot.settings?.trustedDevices ?? []);
  const now = useSecondsTicker(devices.length > 0);
  if (devices.length === 0) return null;
  return (
    <section aria-labelledby="paired-heading" className="card">
      <h2 id="paired-heading">Paired devices</h2>
      <ul className="paired-list">
        {devices.map((d) => (
          <PairedDevice key={d.peerId} device={d} presence={snapshot.presence[d.peerId]} now={now} store={store} />
        ))}
      </ul>
    </section>
  );
}

function PairedDevice({ device, presence, now, store }: { device: TrustedDevice; presence: Presence | undefined; now: number; store: FerryView }) {
  const [mode, setMode] = useState<'idle' | 'renaming' | 'confirm-unpair'>('idle');
  const [name, setName] = useState(device.name);
  const [error, setError] = useState<string | undefined>();
  const words = device.publicKey ? keyFingerprintWords(decodeBase64(device.publicKey)).join(' ') : '';
  const rename = (event: FormEvent) => {
    event.preventDefault();
    store.renameDevice(device.peerId, name).then(
      (fieldErrors) => {
        if (fieldErrors) setError(Object.values(fieldErrors).join(' '));
        else {
          setError(undefined);
          setMode('idle');
        }
      },
      (e: Error) => setError(e.message),
    );
  };
  const tone = presence?.kind === 'online' ? 'ok' : presence?.kind === 'unpaired-there' ? 'bad' : 'busy';
  const canTry = presence?.kind === 'offline' || presence?.kind === 'unpaired-there';
  return (
    <li aria-label={`Paired device ${device.name}`} className="paired-device">
      <div className="status-row">
        <span className={`dot dot-${tone}`} aria-hidden="true" />
        <strong>{device.name}</strong>
        <span role="status" aria-label={`Presence of ${device.name}`} className={presence?.kind === 'unpaired-there' ? 'field-error' : 'subtle'}>
          {describe(presence, now)}
        </span>
      </div>
      <p className="subtle">
        <span className="mono">{device.peerId}</span> · key words: <span aria-label={`Key words of ${device.name}`}>{words}</span>
      </p>
      {mode === 'renaming' ? (
        <form className="row" onSubmit={rename}>
          <label htmlFor={`rename-${device.peerId}`}>New name for {device.name}</label>
          <input id={`rename-${device.peerId}`} type="text" value={name} maxLength={DEVICE_NAME_MAX} onChange={(e) => setName(e.target.value)} />
          <button type="submit">Save name</button>
          <button type="button" className="secondary" onClick={() => setMode('idle')}>
            Cancel
          </button>
        </form>
      ) : mode === 'confirm-unpair' ? (
        <div className="row" role="group" aria-label={`Unpair ${device.name}?`}>
          <span>
            Unpair {device.name}? It will no longer be trusted here, and it is told so the next time it connects.
          </span>
          <button
            type="button"
            onClick={() =>
              void store.unpairDevice(device.peerId).then((fieldErrors) => fieldErrors && setError(Object.values(fieldErrors).join(' ')))
            }
          >
            Unpair
          </button>
          <button type="button" className="secondary" onClick={() => setMode('idle')}>
            Keep
          </button>
        </div>
      ) : (
        <div className="row">
          {canTry ? (
            <button type="button" className="secondary" aria-label={`Try ${device.name} now`} onClick={() => store.checkPresenceNow(device.peerId)}>
              Try now
            </button>
          ) : null}
          <button type="button" className="secondary" aria-label={`Rename ${device.name}`} onClick={() => (setName(device.name), setMode('renaming'))}>
            Rename
          </button>
          <button type="button" className="secondary" aria-label={`Unpair ${device.name}`} onClick={() => setMode('confirm-unpair')}>
            Unpair
          </button>
        </div>
      )}
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </li>
  );
}

function describe(presence: Presence | undefined, now: number): string {
  switch (presence?.kind) {
    case undefined:
    case 'checking':
      return 'Looking for it…';
    case 'online':
      return 'Online';
    case 'offline':
      return presence.nextCheckAt === undefined
        ? 'Offline'
        : `Offline — trying again in ${Math.max(1, Math.ceil((presence.nextCheckAt - now) / 1000))} s`;
    case 'unpaired-there':
      return presence.message;
    default: {
      const unreachable: never = presence;
      return unreachable;
    }
  }
}

