import { contextBridge, ipcRenderer } from 'electron';
import type { FerryApi } from './api.js';
import { FERRY_CHANNELS, FERRY_EVENTS } from './channels.js';
import { eventSubscription, isPairingCode } from './event-subscription.js';

// Sandboxed preload: bundled into one CommonJS file; only `electron` is required at run time.
const api: FerryApi = {
  getSignalingConfig: () => ipcRenderer.invoke(FERRY_CHANNELS.getSignalingConfig),
  getDeviceInfo: () => ipcRenderer.invoke(FERRY_CHANNELS.getDeviceInfo),
  setDeviceName: (name: string) => ipcRenderer.invoke(FERRY_CHANNELS.setDeviceName, name),
  getSettings: () => ipcRenderer.invoke(FERRY_CHANNELS.getSettings),
  getIdentity: () => ipcRenderer.invoke(FERRY_CHANNELS.getIdentity),
  signSession: (transcript, role) => ipcRenderer.invoke(FERRY_CHANNELS.signSession, transcript, role),
  getDownloadDir: () => ipcRenderer.invoke(FERRY_CHANNELS.getDownloadDir),
  checkSpace: (totalBytes) => ipcRenderer.invoke(FERRY_CHANNELS.checkSpace, totalBytes),
  readClipboard: () => ipcRenderer.invoke(FERRY_CHANNELS.readClipboard),
  writeClipboard: (text) => ipcRenderer.invoke(FERRY_CHANNELS.writeClipboard, text),
  updateSettings: (patch) => ipcRenderer.invoke(FERRY_CHANNELS.updateSettings, patch),
  chooseDownloadDir: () => ipcRenderer.invoke(FERRY_CHANNELS.chooseDownloadDir),
  showInFolder: (path) => ipcRenderer.invoke(FERRY_CHANNELS.showInFolder, path),
  notify: (title, body) => ipcRenderer.invoke(FERRY_CHANNELS.notify, title, body),
  setProgress: (fraction) => ipcRenderer.invoke(FERRY_CHANNELS.setProgress, fraction),
  setRecentTransfers: (recent) => ipcRenderer.invoke(FERRY_CHANNELS.setRecentTransfers, recent),
  getLanStatus: () => ipcRenderer.invoke(FERRY_CHANNELS.getLanStatus),
  getIceServers: () => ipcRenderer.invoke(FERRY_CHANNELS.getIceServers),
  receiveStart: (entries, totalBytes) => ipcRenderer.invoke(FERRY_CHANNELS.receiveStart, entries, totalBytes),
  receiveWrite: (sinkId, fileIndex, offset, bytes) =>
    ipcRenderer.invoke(FERRY_CHANNELS.receiveWrite, sinkId, fileIndex, offset, bytes),
  receiveFinalize: (sinkId, fileIndex) => ipcRenderer.invoke(FERRY_CHANNELS.receiveFinalize, sinkId, fileIndex),
  receiveAbort: (sinkId) => ipcRenderer.invoke(FERRY_CHANNELS.receiveAbort, sinkId),
  listenPairingLinks: () => ipcRenderer.invoke(FERRY_CHANNELS.listenPairingLinks),
  onPairingLink: eventSubscription(
    ipcRenderer,
    FERRY_EVENTS.onPairingLink.channel,
    () => ipcRenderer.invoke(FERRY_CHANNELS[FERRY_EVENTS.onPairingLink.listen]),
    isPairingCode,
  ),
};

contextBridge.exposeInMainWorld('ferry', api);
