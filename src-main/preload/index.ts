import { contextBridge, ipcRenderer } from 'electron';
import type { FerryApi } from './api.js';
import { FERRY_CHANNELS } from './channels.js';

// Sandboxed preload: bundled into one CommonJS file; only `electron` is required at run time.
const api: FerryApi = {
  getSignalingConfig: () => ipcRenderer.invoke(FERRY_CHANNELS.getSignalingConfig),
  getDeviceInfo: () => ipcRenderer.invoke(FERRY_CHANNELS.getDeviceInfo),
  setDeviceName: (name: string) => ipcRenderer.invoke(FERRY_CHANNELS.setDeviceName, name),
};

contextBridge.exposeInMainWorld('ferry', api);
