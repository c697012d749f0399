import type { DeviceInfo, SignalingConfig } from './preload/api.js';
import type { MainServices } from './ipc/dispatcher.js';

/**
 * Main's services behind the IPC API, in plain Node. Device name lives in memory until the
 * settings store exists.
 */
export function createMainServices(options: {
  deviceName: string;
  appVersion: string;
  platform: string;
  signalingConfig: () => Promise<SignalingConfig>;
}): MainServices {
  let name = options.deviceName;
  const info = (): DeviceInfo => ({ name, appVersion: options.appVersion, platform: options.platform });
  return {
    getSignalingConfig: options.signalingConfig,
    getDeviceInfo: info,
    setDeviceName: (newName) => {
      name = newName;
      return info();
    },
  };
}
