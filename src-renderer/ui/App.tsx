import { useEffect, useState, useSyncExternalStore } from 'react';
import type { FerryView } from '../state/view';
import { ConnectForm } from './ConnectForm';
import { DeviceCard } from './DeviceCard';
import { DeviceGrid } from './DeviceGrid';
import { PairingLinkPrompt } from './PairingLinkPrompt';
import { FirstRun } from './FirstRun';
import { IncomingOffers } from './IncomingOffers';
import { CodeTransferPanel } from './CodeTransferPanel';
import { PairingPanel } from './PairingPanel';
import { SettingsDialog } from './SettingsDialog';
import { SettingsPanel } from './SettingsPanel';
import { SignalingBanner } from './SignalingBanner';
import { TransfersView } from './TransfersView';

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
        <button type="button" className="secondary" aria-haspopup="dialog" disabled={!snapshot.settings} onClick={() => setSettingsOpen(true)}>
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
        {snapshot.settings ? <FirstRun settings={snapshot.settings} downloadDir={snapshot.downloadDir} store={store} /> : null}
        <PairingLinkPrompt store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        <SettingsDialog open={settingsOpen && snapshot.settings !== undefined} onClose={() => setSettingsOpen(false)}>
          {snapshot.settings ? (
            <SettingsPanel
              settings={snapshot.settings}
              downloadDir={snapshot.downloadDir}
              signalingUrlFromEnvironment={snapshot.signalingConfig?.fromEnvironment ? snapshot.signalingConfig.url : undefined}
              store={store}
              onClose={() => setSettingsOpen(false)}
            />
          ) : null}
        </SettingsDialog>
        <DeviceCard snapshot={snapshot} store={store} />
        <DeviceGrid snapshot={snapshot} store={store} />
        <div className="add-device">
          <PairingPanel status={snapshot.pairing} store={store} enabled={snapshot.signaling?.kind === 'connected'} />
          <ConnectForm store={store} enabled={snapshot.signaling?.kind === 'connected'} />
          <CodeTransferPanel status={snapshot.codeTransfer} store={store} enabled={snapshot.signaling?.kind === 'connected'} />
        </div>
        <TransfersView snapshot={snapshot} store={store} />
      </main>
    </div>
  );
}
