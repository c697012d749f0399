import { useEffect, useState, useSyncExternalStore } from 'react';
import type { FerryView } from '../state/view';
import { ConnectForm } from './ConnectForm';
import { ConversationPanel } from './ConversationPanel';
import { DeviceCard } from './DeviceCard';
import { KnownDevices, NearbyDevices } from './DeviceTiles';
import { PairedDevices } from './PairedDevices';
import { PairingLinkPrompt } from './PairingLinkPrompt';
import { IncomingOffers } from './IncomingOffers';
import { PairingPanel } from './PairingPanel';
import { SettingsPanel } from './SettingsPanel';
import { SignalingBanner } from './SignalingBanner';
import { TransferHistory } from './TransferHistory';

export function App({ store }: { store: FerryView }) {
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
        <SignalingBanner state={snapshot.signaling} onRetry={() => store.retrySignalingNow()} />
        <IncomingOffers snapshot={snapshot} store={store} />
        <PairingLinkPrompt store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        {settingsOpen && snapshot.settings ? (
          <SettingsPanel
            settings={snapshot.settings}
            downloadDir={snapshot.downloadDir}
            signalingUrlFromEnvironment={snapshot.signalingConfig?.fromEnvironment ? snapshot.signalingConfig.url : undefined}
            store={store}
            onClose={() => setSettingsOpen(false)}
          />
        ) : null}
        <DeviceCard snapshot={snapshot} />
        <ConnectForm store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        <PairingPanel status={snapshot.pairing} store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        <PairedDevices snapshot={snapshot} store={store} />
        <NearbyDevices snapshot={snapshot} store={store} />
        <KnownDevices snapshot={snapshot} store={store} />
        <section aria-label="Conversations" className="conversations">
          {snapshot.conversations.length === 0 ? (
            <p className="hint">Connect to a device by its id to start a conversation.</p>
          ) : (
            snapshot.conversations.map((c) => <ConversationPanel key={c.peerId} conversation={c} store={store} />)
          )}
        </section>
        <TransferHistory history={snapshot.history} store={store} />
      </main>
    </div>
  );
}
