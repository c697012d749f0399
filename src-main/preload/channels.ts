import type { FerryCalls, FerryEvents } from './api.js';

/** The IPC channel of each API method. Shared by the preload and main; plain data. */
export const FERRY_CHANNELS = {
  getSignalingConfig: 'ferry:get-signaling-config',
  getDeviceInfo: 'ferry:get-device-info',
  setDeviceName: 'ferry:set-device-name',
  getSettings: 'ferry:get-settings',
  getIdentity: 'ferry:get-identity',
  signSession: 'ferry:sign-session',
  getDownloadDir: 'ferry:get-download-dir',
  checkSpace: 'ferry:check-space',
  readClipboard: 'ferry:read-clipboard',
  writeClipboard: 'ferry:write-clipboard',
  updateSettings: 'ferry:update-settings',
  chooseDownloadDir: 'ferry:choose-download-dir',
  showInFolder: 'ferry:show-in-folder',
  notify: 'ferry:notify',
  setProgress: 'ferry:set-progress',
  setRecentTransfers: 'ferry:set-recent-transfers',
  getLanStatus: 'ferry:get-lan-status',
  getIceServers: 'ferry:get-ice-servers',
  receiveStart: 'ferry:receive-start',
  receiveWrite: 'ferry:receive-write',
  receiveFinalize: 'ferry:receive-finalize',
  receiveAbort: 'ferry:receive-abort',
  listenPairingLinks: 'ferry:listen-pairing-links',
} as const satisfies Record<keyof FerryCalls, `ferry:${string}`>;

export type FerryMethod = keyof typeof FERRY_CHANNELS;

/**
 * Main → window events: the channel main sends on (only to its own window, `webContents.send`),
 * and the call by which the window says it listens (answered with what came before).
 */
export const FERRY_EVENTS = {
  onPairingLink: { channel: 'ferry:event:pairing-link', listen: 'listenPairingLinks' },
} as const satisfies Record<keyof FerryEvents, { channel: `ferry:event:${string}`; listen: FerryMethod }>;
