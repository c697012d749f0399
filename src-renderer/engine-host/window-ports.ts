import { Peer } from 'peerjs';
import { decodeBase64, encodeBase64 } from '../../src-core/index';
import type { CreateSignalingPeer, DevicePort, DownloadsPort, FetchJson, SignalingPeerPort } from '../../src-engine/index';
import { IpcFileSink } from '../files/ipc-sink';
import { call, ferryApi } from '../platform';

/*
 * The engine's ports in the window (until the engine moves to its own process): main over the
 * preload's API, PeerJS on Chromium's WebRTC, received bytes to main.
 */

export const windowDevicePort: DevicePort = {
  deviceInfo: () => call(ferryApi().getDeviceInfo()),
  downloadDir: () => call(ferryApi().getDownloadDir()),
  updateSettings: (patch) => call(ferryApi().updateSettings(patch)),
  signSession: async (transcript, role) => decodeBase64(await call(ferryApi().signSession(encodeBase64(transcript), role))),
  iceServers: () => call(ferryApi().getIceServers()),
  lanStatus: () => call(ferryApi().getLanStatus()),
  notify: (title, body) => call(ferryApi().notify(title, body)),
  setProgress: (fraction) => call(ferryApi().setProgress(fraction)),
  setRecentTransfers: (recent) => call(ferryApi().setRecentTransfers(recent)),
};

export const windowDownloadsPort: DownloadsPort = {
  checkSpace: (totalBytes) => call(ferryApi().checkSpace(totalBytes)),
  openSink: (offer, saved) => IpcFileSink.open(offer, saved),
};

export const windowFetchJson: FetchJson = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return response.json() as Promise<unknown>;
};

// PeerJS's DataConnection and Peer fit the engine's ports structurally but for their event
// emitter's typing: the one cast, at the edge.
export const createWindowPeer: CreateSignalingPeer = (id, options) => new Peer(id, options) as unknown as SignalingPeerPort;

/** PeerJS's own logging, for diagnosing connection trouble: localStorage['ferry.debug'] = '3'. */
export function peerJsDebugLevel(): 0 | 1 | 2 | 3 {
  try {
    const level = Number(window.localStorage.getItem('ferry.debug'));
    return level === 1 || level === 2 || level === 3 ? level : 0;
  } catch {
    return 0;
  }
}
