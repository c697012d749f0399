import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { FerryApi, IpcResult, PickedFile } from './api.js';
import { ENGINE_PORT_CHANNEL, FERRY_CHANNELS, FERRY_EVENTS } from './channels.js';
import { type BridgePort, engineBridge } from './engine-bridge.js';
import { eventSubscription, isPairingCode } from './event-subscription.js';
import { pickedPaths } from './picked-paths.js';

// The engine's port: main sends one after every load of the window.
const engine = engineBridge();
ipcRenderer.on(ENGINE_PORT_CHANNEL, (event) => {
  const [port] = event.ports;
  if (port) engine.attach(port as unknown as BridgePort);
});

/** Paths of files from a drop or a picker (only the preload can read them), granted to the engine. */
async function grantFiles(files: readonly PickedFile[]): Promise<IpcResult<string[]>> {
  const paths = pickedPaths(
    [...files].map((file) => {
      let path = '';
      try {
        path = webUtils.getPathForFile(file as unknown as Parameters<typeof webUtils.getPathForFile>[0]);
      } catch {
        // Not a File from the OS (the page made it): no path, nothing granted.
      }
      return { path, relativePath: typeof file.webkitRelativePath === 'string' ? file.webkitRelativePath : '' };
    }),
  );
  if (paths.length === 0) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'These files did not come from your computer’s disk; Ferry can send only files you pick or drop.' } };
  return ipcRenderer.invoke(FERRY_CHANNELS.grantPaths, paths);
}

// Sandboxed preload: bundled into one CommonJS file; only `electron` is required at run time.
const api: FerryApi = {
  getSignalingConfig: () => ipcRenderer.invoke(FERRY_CHANNELS.getSignalingConfig),
  getDeviceInfo: () => ipcRenderer.invoke(FERRY_CHANNELS.getDeviceInfo),
  readClipboard: () => ipcRenderer.invoke(FERRY_CHANNELS.readClipboard),
  writeClipboard: (text) => ipcRenderer.invoke(FERRY_CHANNELS.writeClipboard, text),
  chooseDownloadDir: () => ipcRenderer.invoke(FERRY_CHANNELS.chooseDownloadDir),
  restartApp: () => ipcRenderer.invoke(FERRY_CHANNELS.restartApp),
  showInFolder: (path) => ipcRenderer.invoke(FERRY_CHANNELS.showInFolder, path),
  openSavedFile: (path) => ipcRenderer.invoke(FERRY_CHANNELS.openSavedFile, path),
  pickFolderToSend: () => ipcRenderer.invoke(FERRY_CHANNELS.pickFolderToSend),
  receiveStart: (entries, totalBytes) => ipcRenderer.invoke(FERRY_CHANNELS.receiveStart, entries, totalBytes),
  receiveWrite: (sinkId, fileIndex, offset, bytes) =>
    ipcRenderer.invoke(FERRY_CHANNELS.receiveWrite, sinkId, fileIndex, offset, bytes),
  receiveFinalize: (sinkId, fileIndex) => ipcRenderer.invoke(FERRY_CHANNELS.receiveFinalize, sinkId, fileIndex),
  receiveAbort: (sinkId) => ipcRenderer.invoke(FERRY_CHANNELS.receiveAbort, sinkId),
  listenPairingLinks: () => ipcRenderer.invoke(FERRY_CHANNELS.listenPairingLinks),
  engine: { post: (message) => engine.post(message), onMessage: (listener) => engine.onMessage(listener) },
  grantFiles,
  onPairingLink: eventSubscription(
    ipcRenderer,
    FERRY_EVENTS.onPairingLink.channel,
    () => ipcRenderer.invoke(FERRY_CHANNELS[FERRY_EVENTS.onPairingLink.listen]),
    isPairingCode,
  ),
};

contextBridge.exposeInMainWorld('ferry', api);
