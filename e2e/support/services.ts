import type { MainServices } from '../../src-main/ipc/dispatcher.js';
import { createMainServices } from '../../src-main/services.js';

/** Main's real services, configured for a lab device that uses an external signaling server. */
export function labServices(deviceName: string, signalingUrl: string, downloadDir = '/nonexistent'): MainServices {
  return createMainServices({
    deviceName,
    appVersion: '0.0.0-test',
    platform: 'linux',
    signalingConfig: async () => ({ url: signalingUrl, key: 'peerjs', iceServers: [], embedded: false }),
    downloadDir: () => downloadDir,
  });
}
