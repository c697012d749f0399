import { useSyncExternalStore } from 'react';
import type { AppStore } from '../state/store';
import { ConnectForm } from './ConnectForm';
import { ConversationPanel } from './ConversationPanel';
import { DeviceCard } from './DeviceCard';

export function App({ store }: { store: AppStore }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Ferry</h1>
      </header>
      {snapshot.fatalError ? (
        <p role="alert" className="error-banner">
          {snapshot.fatalError}
        </p>
      ) : null}
      <main className="layout">
        <DeviceCard snapshot={snapshot} store={store} />
        <ConnectForm store={store} enabled={snapshot.signaling?.kind === 'connected'} />
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
