import { useState } from 'react';
import type { EngineSnapshot } from '../../src-engine/index';
import type { FerryView } from '../state/view';

interface Tile {
  peerId: string;
  name: string;
  pill: string;
  /** The button's accessible name. */
  action: string;
}

/** Devices to connect to, a tile each: one click from a conversation. */
function DeviceTiles({ label, tiles, store, canConnect }: { label: string; tiles: Tile[]; store: FerryView; canConnect: boolean }) {
  const [error, setError] = useState<string | undefined>();
  if (tiles.length === 0) return null;
  const connect = (peerId: string) => {
    store.connectTo(peerId).then(
      () => setError(undefined),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <section aria-label={label} className="known-devices">
      {tiles.map((t) => (
        <div key={t.peerId} className="card tile known-device">
          <span>
            <strong>{t.name}</strong> <span className="mono subtle">{t.peerId}</span>
          </span>
          <span className="pill">{t.pill}</span>
          <button type="button" disabled={!canConnect} onClick={() => connect(t.peerId)}>
            {t.action}
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

function connectedIds(snapshot: EngineSnapshot): Set<string> {
  return new Set(snapshot.conversations.filter((c) => c.state === 'open' || c.state === 'connecting').map((c) => c.peerId));
}

/**
 * Devices accepted from ("always accept") but not paired, not connected right now (paired ones
 * have their own list with presence; those on this LAN server show under "Nearby").
 */
export function KnownDevices({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const connected = connectedIds(snapshot);
  const tiles = (snapshot.settings?.trustedDevices ?? [])
    .filter((d) => d.publicKey === undefined && !connected.has(d.peerId) && !snapshot.nearby.includes(d.peerId))
    .map((d) => ({ peerId: d.peerId, name: d.name, pill: 'Not connected', action: `Connect to ${d.name}` }));
  return <DeviceTiles label="Known devices" tiles={tiles} store={store} canConnect={snapshot.signaling?.kind === 'connected'} />;
}

/** Ferry devices on the same LAN server that are not connected (named when trusted). */
export function NearbyDevices({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const connected = connectedIds(snapshot);
  const trusted = new Map((snapshot.settings?.trustedDevices ?? []).map((d) => [d.peerId, d.name]));
  const tiles = snapshot.nearby
    .filter((id) => !connected.has(id))
    .map((id) => ({ peerId: id, name: trusted.get(id) ?? 'A Ferry device', pill: 'Nearby', action: `Connect to ${id}` }));
  return <DeviceTiles label="Nearby devices" tiles={tiles} store={store} canConnect={snapshot.signaling?.kind === 'connected'} />;
}
