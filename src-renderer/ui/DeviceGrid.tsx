import type { EngineSnapshot } from '../../src-engine/index';
import { deviceEntries } from '../state/device-entries';
import type { FerryView } from '../state/view';
import { DeviceTile } from './DeviceTile';
import { SendToSeveral } from './SendToSeveral';
import { useSecondsTicker } from './use-seconds-ticker';

/** Every device this one knows of, a tile each; empty, it says how to add one. */
export function DeviceGrid({ snapshot, store }: { snapshot: EngineSnapshot; store: FerryView }) {
  const entries = deviceEntries(snapshot);
  // Presence counts down to its next try.
  const now = useSecondsTicker(entries.some((e) => e.presence?.kind === 'offline'));
  const canConnect = snapshot.signaling?.kind === 'connected';
  return (
    <section aria-labelledby="devices-heading" className="devices">
      <div className="section-head">
        <h2 id="devices-heading">Devices</h2>
        <SendToSeveral entries={entries} store={store} />
      </div>
      {entries.length === 0 ? (
        <p className="hint card">
          No devices yet. Pair one by code (below): after that the two find each other by themselves. Or send files with a one-time code, connect to a device by its id, or use a pairing link.
        </p>
      ) : (
        <div className="device-grid">
          {entries.map((entry) => (
            <DeviceTile key={entry.peerId} entry={entry} store={store} canConnect={canConnect} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}
