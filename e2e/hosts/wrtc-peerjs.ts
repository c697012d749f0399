import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import wrtc from '@roamhq/wrtc';
import type { Peer as PeerType } from 'peerjs';
import WebSocket from 'ws';
import type { Runtime, TimerHandle } from '../../src-core/index.js';

// What PeerJS expects of a browser: WebSocket, the RTC classes, and location.protocol.
Object.assign(globalThis, {
  WebSocket,
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  location: { protocol: 'http:' },
});

// peerjs ships CommonJS without an exports map; require it as such.
export const { Peer } = createRequire(import.meta.url)('peerjs') as { Peer: typeof PeerType };

export const nodeRuntime: Runtime = {
  now: () => Date.now(),
  setTimer: (ms, cb) => setTimeout(cb, ms) as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};

/** The stock PeerJS client on @roamhq/wrtc, registered with a Ferry signaling server. */
export function createNodePeer(signalingUrl: string, peerId: string): PeerType {
  const url = new URL(signalingUrl);
  return new Peer(peerId, {
    host: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    key: 'peerjs',
    config: { iceServers: [] },
    debug: 0,
  });
}

export function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}
