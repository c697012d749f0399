import { type FormEvent, useId, useState } from 'react';
import type { FerrySettings } from '../../src-main/preload/api';
import { DEFAULT_KEEP_INTERRUPTED_DAYS } from '../../src-engine/contract/device';
import type { FerryView } from '../state/view';

type Draft = {
  deviceName: string;
  signalingKind: 'built-in' | 'custom';
  signalingUrl: string;
  signalingToken: string;
  /** One ICE server per line: "urls [username credential]", urls comma-separated. */
  iceServers: string;
  relayOnly: boolean;
  transferMode: FerrySettings['transferMode'];
  autoAcceptTrusted: boolean;
  theme: FerrySettings['theme'];
  keepInterruptedDays: string;
};

function draftOf(s: FerrySettings): Draft {
  return {
    deviceName: s.deviceName,
    signalingKind: s.signaling.kind,
    signalingUrl: s.signaling.kind === 'custom' ? s.signaling.url : '',
    signalingToken: s.signaling.kind === 'custom' ? (s.signaling.token ?? '') : '',
    iceServers: s.iceServers.map((i) => [i.urls.join(','), i.username, i.credential].filter((x) => x !== undefined && x !== '').join(' ')).join('\n'),
    relayOnly: s.relayOnly,
    transferMode: s.transferMode,
    autoAcceptTrusted: s.autoAcceptTrusted,
    theme: s.theme,
    keepInterruptedDays: String(s.keepInterruptedDays ?? DEFAULT_KEEP_INTERRUPTED_DAYS),
  };
}

function patchOf(d: Draft): Partial<Omit<FerrySettings, 'version'>> {
  const iceServers = d.iceServers
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [urls = '', username, credential] = line.split(/\s+/);
      return { urls: urls.split(',').filter((u) => u !== ''), ...(username ? { username } : {}), ...(credential ? { credential } : {}) };
    });
  return {
    deviceName: d.deviceName,
    signaling: d.signalingKind === 'built-in' ? { kind: 'built-in' } : { kind: 'custom', url: d.signalingUrl, ...(d.signalingToken ? { token: d.signalingToken } : {}) },
    iceServers,
    relayOnly: d.relayOnly,
    transferMode: d.transferMode,
    autoAcceptTrusted: d.autoAcceptTrusted,
    theme: d.theme,
    // Main checks it (whole days, 1 to 365) and says so under the field.
    keepInterruptedDays: Number(d.keepInterruptedDays),
  };
}

/** The first error for a field or any of its parts ("iceServers.0.urls.1" counts for "iceServers"). */
function errorFor(errors: Record<string, string>, field: string): string | undefined {
  const key = Object.keys(errors).find((k) => k === field || k.startsWith(`${field}.`));
  return key ? errors[key] : undefined;
}

export function SettingsPanel({
  settings,
  downloadDir,
  signalingUrlFromEnvironment,
  store,
  onClose,
}: {
  settings: FerrySettings;
  downloadDir: string | undefined;
  /** The server FERRY_SIGNALING_URL sets, which wins over this setting. */
  signalingUrlFromEnvironment: string | undefined;
  store: FerryView;
  onClose: () => void;
}) {
  const [restartError, setRestartError] = useState<string | undefined>();
  const [draft, setDraft] = useState(() => draftOf(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const id = useId();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSaved(false);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const fieldErrors = await store.saveSettings(patchOf(draft));
      setErrors(fieldErrors ?? {});
      setSaved(fieldErrors === undefined);
    } catch (error) {
      setErrors({ settings: error instanceof Error ? error.message : String(error) });
    }
  };

  const field = (name: string, label: string, control: React.ReactNode, hint?: string) => {
    const error = errorFor(errors, name);
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        {control}
        {hint ? <p className="subtle">{hint}</p> : null}
        {error ? (
          <p role="alert" id={`${id}-${name}-error`} className="field-error">
            {error}
          </p>
        ) : null}
      </div>
    );
  };
  const describedBy = (name: string) => (errorFor(errors, name) ? `${id}-${name}-error` : undefined);

  return (
    <section aria-labelledby={`${id}-heading`} className="card">
      <h2 id={`${id}-heading`}>Settings</h2>
      <form className="settings" onSubmit={(e) => void save(e)} noValidate>
        {field(
          'deviceName',
          'Device name',
          <input id={`${id}-deviceName`} type="text" value={draft.deviceName} maxLength={64} aria-describedby={describedBy('deviceName')} onChange={(e) => set('deviceName', e.target.value)} />,
        )}
        <div className="field">
          <span id={`${id}-downloads`}>Download folder</span>
          <p className="mono" aria-labelledby={`${id}-downloads`}>
            {downloadDir ?? '…'}
          </p>
          <div className="row">
            <button type="button" className="secondary" onClick={() => void store.chooseDownloadDir()}>
              Choose download folder…
            </button>
            {settings.downloadDir !== null ? (
              <button type="button" className="secondary" onClick={() => void store.saveSettings({ downloadDir: null })}>
                Use the Downloads folder
              </button>
            ) : null}
          </div>
        </div>
        <fieldset>
          <legend>Signaling server</legend>
          {signalingUrlFromEnvironment ? (
            <p role="note" aria-label="Signaling server set by the environment" className="field-error">
              FERRY_SIGNALING_URL is set: Ferry uses {signalingUrlFromEnvironment} whatever is chosen here.
            </p>
          ) : null}
          <span className="check">
            <input id={`${id}-builtin`} type="radio" name={`${id}-signaling`} checked={draft.signalingKind === 'built-in'} onChange={() => set('signalingKind', 'built-in')} />
            <label htmlFor={`${id}-builtin`}>Built-in (found on this network, or hosted here)</label>
          </span>
          <span className="check">
            <input id={`${id}-custom`} type="radio" name={`${id}-signaling`} checked={draft.signalingKind === 'custom'} onChange={() => set('signalingKind', 'custom')} />
            <label htmlFor={`${id}-custom`}>Another server</label>
          </span>
          {draft.signalingKind === 'custom' ? (
            <>
              {field(
                'signaling.url',
                'Server URL',
                <input id={`${id}-signaling.url`} type="url" value={draft.signalingUrl} placeholder="https://signal.example.org/" aria-describedby={describedBy('signaling.url')} onChange={(e) => set('signalingUrl', e.target.value)} />,
                'Another Ferry on a network that blocks discovery: http://its-address:47474/',
              )}
              {field(
                'signaling.token',
                'Access token (optional)',
                <input id={`${id}-signaling.token`} type="password" value={draft.signalingToken} aria-describedby={describedBy('signaling.token')} onChange={(e) => set('signalingToken', e.target.value)} />,
              )}
            </>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>Connections</legend>
          {field(
            'iceServers',
            'STUN and TURN servers',
            <textarea id={`${id}-iceServers`} rows={3} value={draft.iceServers} aria-describedby={describedBy('iceServers')} onChange={(e) => set('iceServers', e.target.value)} />,
            'One per line: URLs separated by commas, then username and credential for TURN. Example: turn:turn.example.org:3478 alice s3cret',
          )}
          <span className="check">
            <input id={`${id}-relayOnly`} type="checkbox" checked={draft.relayOnly} onChange={(e) => set('relayOnly', e.target.checked)} />
            <label htmlFor={`${id}-relayOnly`}>Relay only (connect through TURN, never directly)</label>
          </span>
          <div className="row">
            <p className="subtle">Server and connection changes apply the next time Ferry starts.</p>
            <button type="button" className="secondary" onClick={() => store.restartApp().catch((e: unknown) => setRestartError(e instanceof Error ? e.message : String(e)))}>
              Restart Ferry now
            </button>
          </div>
          {restartError ? (
            <p role="alert" className="field-error">
              {restartError}
            </p>
          ) : null}
          {field(
            'transferMode',
            'Transfer mode',
            <select id={`${id}-transferMode`} value={draft.transferMode} onChange={(e) => set('transferMode', e.target.value as Draft['transferMode'])}>
              <option value="automatic">Automatic (recommended)</option>
              <option value="reliable-ordered">Reliable, ordered</option>
              <option value="reliable-unordered">Reliable, unordered</option>
              <option value="partial">Partially reliable with repair</option>
            </select>,
          )}
          {field(
            'keepInterruptedDays',
            'Keep interrupted downloads (days)',
            <input id={`${id}-keepInterruptedDays`} type="number" min={1} max={365} step={1} value={draft.keepInterruptedDays} onChange={(e) => set('keepInterruptedDays', e.target.value)} />,
          )}
        </fieldset>
        <fieldset>
          <legend>Trusted devices</legend>
          <span className="check">
            <input id={`${id}-autoAccept`} type="checkbox" checked={draft.autoAcceptTrusted} onChange={(e) => set('autoAcceptTrusted', e.target.checked)} />
            <label htmlFor={`${id}-autoAccept`}>Accept files from trusted devices without asking</label>
          </span>
          {settings.trustedDevices.length === 0 ? (
            <p className="subtle">No trusted devices yet. Tick “Always accept from this device” when you accept files.</p>
          ) : (
            <ul aria-label="Trusted devices">
              {settings.trustedDevices.map((d) => (
                <li key={d.peerId} className="row">
                  <span>
                    {d.name} <span className="mono subtle">{d.peerId}</span>
                  </span>
                  <button type="button" className="secondary" onClick={() => void store.forgetDevice(d.peerId)}>
                    {`Stop trusting ${d.name}`}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        {field(
          'theme',
          'Theme',
          <select id={`${id}-theme`} value={draft.theme} onChange={(e) => set('theme', e.target.value as Draft['theme'])}>
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>,
        )}
        {errors.settings ? (
          <p role="alert" className="field-error">
            {errors.settings}
          </p>
        ) : null}
        <div className="row">
          <button type="submit">Save settings</button>
          <button type="button" className="secondary" onClick={onClose}>
            Close settings
          </button>
          <p role="status" aria-label="Settings state" className="subtle">
            {saved ? 'Saved.' : ''}
          </p>
        </div>
      </form>
    </section>
  );
}
