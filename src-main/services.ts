import type { DeviceInfo, FerrySettings, LanStatus, SettingsUpdate, SignalingConfig } from './preload/api.js';
import type { LanState } from './lan/lan-signaling.js';
import type { ServerConfig } from './signaling/signaling-source.js';
import type { MainServices } from './ipc/dispatcher.js';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { decodeBase64, type DeviceKind, encodeBase64 } from '../src-core/index.js';
import type { IdentityStore } from './identity/identity-store.js';
import { Downloads } from '../src-node/files/downloads.js';
import { spaceFor } from '../src-node/files/node-file-sink.js';
import { isProgram } from './files/program-files.js';
import type { DesktopPlatform } from './platform.js';
import type { SettingsStore } from './settings/store.js';
import type { PairingLinkOutbox } from './deep-link/pairing-link-outbox.js';
import { IceSource, type IceRefresh } from './signaling/ice-source.js';
import { fetchJsonWithTimeout } from './signaling/signaling-source.js';

/** Main's services behind the IPC API, in plain Node: settings, downloads, the desktop. */
export function createMainServices(options: {
  settings: SettingsStore;
  appVersion: string;
  platform: string;
  /** What this device runs Ferry as (the desktop app unless said: the CLI says 'cli'). */
  kind?: DeviceKind;
  desktop: DesktopPlatform;
  signalingConfig: () => Promise<ServerConfig>;
  /** The OS Downloads folder: where files go unless the settings say otherwise. */
  defaultDownloadDir: string;
  /** The built-in LAN signaling's state, when it is in use. */
  lanStatus?: () => LanState | undefined;
  identity: IdentityStore;
  /** Pairing links the OS opened, for the window (absent: none ever arrive). */
  pairingLinks?: PairingLinkOutbox;
  /** How /ice is fetched (tests pass their own); warnings go to `warn`. */
  fetchJson?: (url: string, timeoutMs: number, headers: Record<string, string>) => Promise<unknown>;
  warn?: (message: string) => void;
  /** Tells the engine which paths it may send (absent: no engine, nothing is granted). */
  grantPaths?: (paths: string[]) => Promise<unknown>;
}): MainServices & { downloads: Downloads } {
  const { settings, desktop } = options;
  const downloadDir = () => settings.get().downloadDir ?? options.defaultDownloadDir;
  const downloads = new Downloads(downloadDir);
  // What the engine says it runs as in its hello: other devices' tiles draw it.
  const info = (): DeviceInfo => ({ name: settings.get().deviceName, kind: options.kind ?? 'desktop', appVersion: options.appVersion, platform: options.platform });
  let iceSource: Promise<IceSource> | undefined;
  const serverIce = async (): Promise<IceRefresh> => {
    iceSource ??= options.signalingConfig().then(
      (config) =>
        new IceSource({
          serverUrl: config.url,
          token: config.token,
          peerId: options.identity.public.peerId,
          fetchJson: options.fetchJson ?? fetchJsonWithTimeout,
          now: () => Date.now(),
          warn: options.warn ?? (() => {}),
        }),
    );
    return (await iceSource).current();
  };
  /** The user's own ICE servers first, then the signaling server's (fresh TURN credentials). */
  const iceServers = async (): Promise<IceRefresh> => {
    const fromServer = await serverIce();
    return { iceServers: [...settings.get().iceServers, ...fromServer.iceServers], refreshAt: fromServer.refreshAt };
  };
  return {
    getSignalingConfig: async (): Promise<SignalingConfig> => {
      const base = await options.signalingConfig();
      const { relayOnly } = settings.get();
      return { ...base, iceServers: (await iceServers()).iceServers, relayOnly };
    },
    getIceServers: () => iceServers(),
    getDeviceInfo: info,
    getSettings: (): FerrySettings => settings.get(),
    getIdentity: () => options.identity.public,
    signSession: (transcript, role) => encodeBase64(options.identity.signSession(decodeBase64(transcript), role)),
    nameCard: () => options.identity.signNameCard(settings.get().deviceName, Date.now()),
    getDownloadDir: () => downloadDir(),
    checkSpace: async (totalBytes) => {
      const dir = downloadDir();
      await mkdir(dir, { recursive: true });
      return { ...(await spaceFor(dir, totalBytes)), downloadDir: dir };
    },
    readClipboard: () => desktop.readClipboard(),
    writeClipboard: (text) => {
      desktop.writeClipboard(text);
      return null;
    },
    updateSettings: (patch): Promise<SettingsUpdate> => settings.update(patch),
    chooseDownloadDir: async (): Promise<SettingsUpdate | null> => {
      const picked = await desktop.pickFolder('Where should received files go?', downloadDir());
      return picked === null ? null : settings.update({ downloadDir: picked });
    },
    restartApp: () => {
      desktop.restart();
      return null;
    },
    showInFolder: (path) => {
      // Only what Ferry itself saved: the renderer cannot make main reveal arbitrary paths.
      if (!downloads.savedPaths.has(path)) throw new Error('Ferry did not save that file.');
      desktop.showItemInFolder(path);
      return null;
    },
    openSavedFile: async (path) => {
      if (!downloads.savedPaths.has(path)) throw new Error('Ferry did not save that file.');
      // A received program is not run with a click: its folder is shown instead of opening it.
      if (isProgram(path)) throw new Error('Ferry does not open programs or scripts it received. Use Show in folder, and open it yourself if you trust it.');
      const problem = await desktop.openPath(path);
      if (problem !== '') throw new Error(`Could not open the file: ${problem}`);
      return null;
    },
    notify: (title, body) => {
      if (desktop.windowFocused()) return false;
      desktop.notify(title, body);
      return true;
    },
    getLanStatus: (): LanStatus | null => {
      const state = options.lanStatus?.();
      if (!state) return null;
      switch (state.kind) {
        case 'searching':
          return { kind: 'searching' };
        case 'hosting':
          return { kind: 'hosting', port: state.port };
        case 'joined':
          return { kind: 'joined', host: state.server.host, port: state.server.port };
        default: {
          const unreachable: never = state;
          return unreachable;
        }
      }
    },
    setRecentTransfers: (recent) => {
      desktop.setRecentTransfers(recent);
      return null;
    },
    setProgress: (fraction) => {
      desktop.setProgress(fraction);
      return null;
    },
    receiveStart: (entries, totalBytes) => downloads.start(entries, totalBytes),
    receiveWrite: (sinkId, fileIndex, offset, bytes) => downloads.write(sinkId, fileIndex, offset, bytes),
    receiveFinalize: (sinkId, fileIndex) => downloads.finalize(sinkId, fileIndex),
    receiveAbort: (sinkId) => downloads.abort(sinkId),
    listenPairingLinks: () => options.pairingLinks?.listen() ?? null,
    pickFolderToSend: async () => {
      const picked = await desktop.pickFolder('Choose a folder to send', homedir());
      if (picked === null) return null;
      if (!options.grantPaths) throw new Error('The engine is not running.');
      await options.grantPaths([picked]);
      return [picked];
    },
    grantPaths: async (paths) => {
      if (!options.grantPaths) throw new Error('The engine is not running.');
      await options.grantPaths(paths);
      return paths;
    },
    downloads,
  };
}
