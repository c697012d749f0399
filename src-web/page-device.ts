import type { SigningKey } from '../src-core/index';
import type { DeviceInfo, DevicePort, FerrySettings, FetchJson, IceRefresh } from '../src-engine/index';

/** How long the page uses ICE servers from /ice before asking again (TURN credentials expire). */
const ICE_REFRESH_MS = 10 * 60_000;

/**
 * What a visit to the page knows as a device: a key made for this visit only (nothing is kept),
 * a name the person may change, the settings a page needs (no paired devices: it sends and
 * receives with codes), and the server's ICE servers.
 */
export function pageDevice(options: { key: SigningKey; info: () => DeviceInfo; settings: FerrySettings; serverUrl: string; fetchJson: FetchJson }): DevicePort & { settings(): FerrySettings } {
  let settings = options.settings;
  return {
    settings: () => settings,
    deviceInfo: async () => options.info(),
    downloadDir: async () => 'this browser',
    updateSettings: async (patch) => {
      settings = { ...settings, ...patch };
      return { ok: true, settings };
    },
    signSession: async (transcript, role) => options.key.signSession(transcript, role),
    nameCard: async () => options.key.signNameCard(options.info().name, Date.now()),
    iceServers: async (): Promise<IceRefresh> => {
      const answer = (await options.fetchJson(new URL(`/ice?peer=${options.key.peerId}`, options.serverUrl).href, 5000).catch(() => ({ iceServers: [] }))) as { iceServers?: IceRefresh['iceServers'] };
      return { iceServers: Array.isArray(answer.iceServers) ? answer.iceServers : [], refreshAt: Date.now() + ICE_REFRESH_MS };
    },
    lanStatus: async () => null,
    notify: async () => null,
    setProgress: async () => null,
    setRecentTransfers: async () => null,
  };
}

/** A page keeps nothing and pairs with nobody: the settings that says so. */
export function pageSettings(deviceName: string): FerrySettings {
  return {
    version: 1,
    deviceName,
    downloadDir: null,
    signaling: { kind: 'built-in' },
    iceServers: [],
    relayOnly: false,
    transferMode: 'automatic',
    autoAcceptTrusted: false,
    trustedDevices: [],
    theme: 'system',
    welcomed: true,
  };
}
