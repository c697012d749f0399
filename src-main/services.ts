import type { DeviceInfo, SignalingConfig } from './preload/api.js';
import type { MainServices } from './ipc/dispatcher.js';
import { Downloads } from './files/downloads.js';

/**
 * Main's services behind the IPC API, in plain Node. Device name lives in memory until the
 * settings store exists.
 */
export function createMainServices(options: {
  deviceName: string;
  appVersion: string;
  platform: string;
  signalingConfig: () => Promise<SignalingConfig>;
  /** Where received files go (a setting later; the OS Downloads folder by default). */
  downloadDir: () => string;
}): MainServices & { downloads: Downloads } {
  let name = options.deviceName;
  const downloads = new Downloads(options.downloadDir);
  const info = (): DeviceInfo => ({ name, appVersion: options.appVersion, platform: options.platform });
  return {
    getSignalingConfig: options.signalingConfig,
    getDeviceInfo: info,
    setDeviceName: (newName) => {
      name = newName;
      return info();
    },
    receiveStart: (entries, totalBytes) => downloads.start(entries, totalBytes),
    receiveWrite: (sinkId, fileIndex, offset, bytes) => downloads.write(sinkId, fileIndex, offset, bytes),
    receiveFinalize: (sinkId, fileIndex) => downloads.finalize(sinkId, fileIndex),
    receiveAbort: (sinkId) => downloads.abort(sinkId),
    downloads,
  };
}
