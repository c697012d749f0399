import { decodeBase64, encodeBase64 } from '../../src-core/index.js';
import type { DevicePort, EngineStart } from '../../src-engine/index.js';
import type { MainServices } from '../ipc/dispatcher.js';
import type { HistoryStore } from '../files/history-store.js';
import type { OutgoingStore } from '../files/outgoing-store.js';

/** What main keeps for the engine across restarts (absent in tests of main alone: nothing kept). */
export interface EngineKeeps {
  outgoing?: OutgoingStore | undefined;
  history?: HistoryStore | undefined;
}

/** What the engine may ask of main: its services, as the engine's DevicePort. */
export function engineDeviceServices(services: MainServices, savedPaths: Set<string>, { outgoing, history }: EngineKeeps = {}): Required<DevicePort> & { fileSaved(path: string): null } {
  return {
    deviceInfo: async () => services.getDeviceInfo(),
    downloadDir: async () => services.getDownloadDir(),
    updateSettings: (patch) => services.updateSettings(patch),
    // Main signs session transcripts and nothing else (the prefix check is the identity store's).
    signSession: async (transcript, role) => decodeBase64(services.signSession(encodeBase64(transcript), role)),
    nameCard: async () => services.nameCard(),
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
    keepHistory: async (entries) => {
      // The history's saved files may be revealed as long as they are listed.
      for (const entry of entries) for (const path of entry.savedPaths) savedPaths.add(path);
      return history?.keep(entries) ?? null;
    },
  };
}

/** The engine's start: this device as main knows it now. */
export async function engineStart(services: MainServices, { outgoing, history }: EngineKeeps = {}): Promise<EngineStart> {
  const [signaling] = await Promise.all([services.getSignalingConfig()]);
  return {
    device: services.getDeviceInfo(),
    signaling,
    settings: services.getSettings(),
    downloadDir: services.getDownloadDir(),
    identity: services.getIdentity(),
    outgoing: outgoing?.records() ?? [],
    history: history?.entries() ?? [],
  };
}
