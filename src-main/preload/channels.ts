import type { FerryCalls, FerryEvents, PreloadCalls } from './api.js';

/** The IPC channel of each API method. Shared by the preload and main; plain data. */
export const FERRY_CHANNELS = {
  getSignalingConfig: 'ferry:get-signaling-config',
  getDeviceInfo: 'ferry:get-device-info',
  readClipboard: 'ferry:read-clipboard',
  writeClipboard: 'ferry:write-clipboard',
  chooseDownloadDir: 'ferry:choose-download-dir',
  restartApp: 'ferry:restart-app',
  showInFolder: 'ferry:show-in-folder',
  openSavedFile: 'ferry:open-saved-file',
  pickFolderToSend: 'ferry:pick-folder-to-send',
  receiveStart: 'ferry:receive-start',
  receiveWrite: 'ferry:receive-write',
  receiveFinalize: 'ferry:receive-finalize',
  receiveAbort: 'ferry:receive-abort',
  listenPairingLinks: 'ferry:listen-pairing-links',
  grantPaths: 'ferry:grant-paths',
} as const satisfies Record<keyof FerryCalls | keyof PreloadCalls, `ferry:${string}`>;

/** Main → preload: the window's MessagePort to the engine (sent again after every load). */
export const ENGINE_PORT_CHANNEL = 'ferry:engine-port';

export type FerryMethod = keyof typeof FERRY_CHANNELS;

/**
 * Main → window events: the channel main sends on (only to its own window, `webContents.send`),
 * and the call by which the window says it listens (answered with what came before).
 */
export const FERRY_EVENTS = {
  onPairingLink: { channel: 'ferry:event:pairing-link', listen: 'listenPairingLinks' },
} as const satisfies Record<keyof FerryEvents, { channel: `ferry:event:${string}`; listen: FerryMethod }>;
