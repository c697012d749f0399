import { decodeBase64, encodeBase64 } from '../../src-core/index.js';
import type { DevicePort, EngineStart } from '../../src-engine/index.js';
import type { MainServices } from '../ipc/dispatcher.js';
import type { OutgoingStore } from '../files/outgoing-store.js';

/** What the engine may ask of main: its services, as the engine's DevicePort. */
export function engineDeviceServices(services: MainServices, savedPaths: Set<string>, outgoing?: OutgoingStore): Required<DevicePort> & { fileSaved(path: string): null } {
  return {
    deviceInfo: async () => services.getDeviceInfo(),
    downloadDir: async () => services.getDownloadDir(),
    updateSettings: (patch) => services.updateSettings(patch),
    // Main signs session transcripts and nothing else (the prefix check is the identity store's).
    signSession: async (transcript, role) => decodeBase64(services.signSession(encodeBase64(transcript), role)),
    iceServers: () => services.getIceServers(),
    lanStatus: async () => services.getLanStatus(),
    notify: async (title, body) => services.notify(title, body),
    setProgress: async (fraction) => services.setProgress(fraction),
    setRecentTransfers: async (recent) => services.setRecentTransfers(recent),
    fileSaved: (path) => {
      // "Show in folder" reveals only what Ferry saved.
      savedPaths.add(path);
      return null;
    },
    // Without a store (tests of main alone), nothing is kept across restarts.
    keepOutgoing: async (record) => outgoing?.keep(record) ?? null,
    forgetOutgoing: async (resumeKey) => outgoing?.forget(resumeKey) ?? null,
  };
}

/** The engine's start: this device as main knows it now. */
export async function engineStart(services: MainServices, outgoing?: OutgoingStore): Promise<EngineStart> {
  const [signaling] = await Promise.all([services.getSignalingConfig()]);
  return {
    device: services.getDeviceInfo(),
    signaling,
    settings: services.getSettings(),
    downloadDir: services.getDownloadDir(),
    identity: services.getIdentity(),
    outgoing: outgoing?.records() ?? [],
  };
}
