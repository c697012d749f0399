import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AppSnapshot, AppStore } from '../state/store';
import { ConnectForm } from './ConnectForm';
import { ConversationPanel } from './ConversationPanel';
import { DeviceCard } from './DeviceCard';
import { PairingPanel } from './PairingPanel';
import { SettingsPanel } from './SettingsPanel';

export function App({ store }: { store: AppStore }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const theme = snapshot.settings?.theme ?? 'system';
  useEffect(() => {
    // A drop that misses every tile must not make the window open the dropped file.
    const ignore = (event: DragEvent) => event.preventDefault();
    window.addEventListener('dragover', ignore);
    window.addEventListener('drop', ignore);
    return () => {
      window.removeEventListener('dragover', ignore);
      window.removeEventListener('drop', ignore);
    };
  }, []);
  useEffect(() => {
    // The palette is light-dark(): the theme only chooses the color-scheme (styles.css).
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Ferry</h1>
        <button type="button" className="secondary" aria-expanded={settingsOpen} disabled={!snapshot.settings} onClick={() => setSettingsOpen((open) => !open)}>
          Settings
        </button>
      </header>
      {snapshot.fatalError ? (
        <p role="alert" className="error-banner">
          {snapshot.fatalError}
        </p>
      ) : null}
      <main className="layout">
        {settingsOpen && snapshot.settings ? (
          <SettingsPanel settings={snapshot.settings} downloadDir={snapshot.downloadDir} store={store} onClose={() => setSettingsOpen(false)} />
        ) : null}
        <DeviceCard snapshot={snapshot} store={store} />
        <ConnectForm store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        <PairingPanel status={snapshot.pairing} store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        <NearbyDevices snapshot={snapshot} store={store} />
        <KnownDevices snapshot={snapshot} store={store} />
        <section aria-label="Conversations" className="conversations">
          {snapshot.conversations.length === 0 ? (
            <p className="hint">Connect to a device by its id to start a conversation.</p>
          ) : (
            snapshot.conversations.map((c) => <ConversationPanel key={c.peerId} conversation={c} store={store} />)
          )}
        </section>
      </main>
    </div>
  );
}

/** Trusted devices that are not connected right now: a tile each, one click from connecting. */
function KnownDevices({ snapshot, store }: { snapshot: AppSnapshot; store: AppStore }) {
  const [error, setError] = useState<string | undefined>();
  const connected = new Set(snapshot.conversations.filter((c) => c.state === 'open' || c.state === 'connecting').map((c) => c.peerId));
  // Trusted devices on this LAN server show under "Nearby" instead.
  const known = (snapshot.settings?.trustedDevices ?? []).filter((d) => !connected.has(d.peerId) && !snapshot.nearby.includes(d.peerId));
  if (known.length === 0) return null;
  const canConnect = snapshot.signaling?.kind === 'connected';
  return (
    <section aria-label="Known devices" className="known-devices">
      {known.map((d) => (
        <div key={d.peerId} className="card tile known-device">
          <span>
            <strong>{d.name}</strong> <span className="mono subtle">{d.peerId}</span>
          </span>
          <span className="pill">Not connected</span>
          <button
            type="button"
            disabled={!canConnect}
            onClick={() => {
              try {
                store.connectTo(d.peerId);
                setError(undefined);
              } catch (e) {
                setError(e instanceof Error ? e.message : String(e));
              }
            }}
          >
            {`Connect to ${d.name}`}
          </button>
        </div>
      ))}
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** Ferry devices on the same LAN server that are not connected: a tile each, to connect to. */
function NearbyDevices({ snapshot, store }: { snapshot: AppSnapshot; store: AppStore }) {
  const [error, setError] = useState<string | undefined>();
  const connected = new Set(snapshot.conversations.filter((c) => c.state === 'open' || c.state === 'connecting').map((c) => c.peerId));
  const trusted = new Map((snapshot.settings?.trustedDevices ?? []).map((d) => [d.peerId, d.name]));
  const nearby = snapshot.nearby.filter((id) => !connected.has(id));
  if (nearby.length === 0) return null;
  return (
    <section aria-label="Nearby devices" className="known-devices">
      {nearby.map((id) => {
        const name = trusted.get(id) ?? 'A Ferry device';
        return (
          <div key={id} className="card tile known-device">
            <span>
              <strong>{name}</strong> <span className="mono subtle">{id}</span>
            </span>
            <span className="pill">Nearby</span>
            <button
              type="button"
              onClick={() => {
                try {
                  store.connectTo(id);
                  setError(undefined);
                } catch (e) {
                  setError(e instanceof Error ? e.message : String(e));
                }
              }}
            >
              {`Connect to ${id}`}
            </button>
          </div>
        );
      })}
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
