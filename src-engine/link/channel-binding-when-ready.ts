import { channelBinding, type FerryError, type Runtime } from '../../src-core/index.js';
import type { PeerConnectionPort } from '../ports/signaling.js';

/**
 * How long an open connection may wait for both descriptions to show their fingerprints. In
 * Chromium on a fast network a DataChannel can open a moment before setRemoteDescription's result
 * is visible to script (the offerer still reads "have-local-offer"); the binding is read once it is.
 */
const DESCRIPTIONS_WAIT_MS = 2000;
const LOOK_EVERY_MS = 25;

/** Calls `bound` with the connection's channel binding (SPEC.md) as soon as it can be read, or `failed` after DESCRIPTIONS_WAIT_MS. */
export function whenBound(pc: Pick<PeerConnectionPort, 'localDescription' | 'remoteDescription'>, runtime: Runtime, bound: (binding: string) => void, failed: (error: FerryError) => void): void {
  const since = runtime.now();
  const look = () => {
    let binding: string;
    try {
      binding = channelBinding(pc.localDescription?.sdp ?? '', pc.remoteDescription?.sdp ?? '');
    } catch (error) {
      if (runtime.now() - since >= DESCRIPTIONS_WAIT_MS) failed(error as FerryError);
      else runtime.setTimer(LOOK_EVERY_MS, look);
      return;
    }
    bound(binding);
  };
  look();
}
