/*
 * What the stock PeerJS client (the app's) makes of our refusals: it ignores close codes and
 * reports a dropped socket as "Lost connection to server", so the reason must arrive as a server
 * message. PeerJS runs here in Node on @roamhq/wrtc, with ws as its WebSocket, as in the lab.
 */
import { createRequire } from 'node:module';
import wrtc from '@roamhq/wrtc';
import type { Peer as PeerType, PeerOptions } from 'peerjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSignalingServer } from './server.js';
import { cleanup, peerId, track } from './test-support/raw-peer.js';

let Peer: typeof PeerType;
beforeAll(() => {
  // PeerJS reads these when it loads: what it expects of a browser.
  Object.assign(globalThis, {
    WebSocket,
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    location: { protocol: 'http:' },
  });
  ({ Peer } = createRequire(import.meta.url)('peerjs') as { Peer: typeof PeerType });
});

const peers: PeerType[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await cleanup();
});

/** Resolves with "open" or the first error PeerJS reports, as the app's listeners see them. */
function outcome(port: number, id: string, options: Partial<PeerOptions> = {}): Promise<{ open: true } | { type: string; message: string }> {
  const peer = new Peer(id, { host: '127.0.0.1', port, path: '/', key: 'peerjs', debug: 0, config: { iceServers: [] }, ...options });
  peers.push(peer);
  return new Promise((resolve) => {
    peer.on('open', () => resolve({ open: true }));
    peer.on('error', (error) => resolve({ type: String(error.type), message: error.message }));
  });
}

const SHARED = 'correct-horse-battery-staple';

describe('a PeerJS client refused by the server', () => {
  it('gets the reason as a server-error it can show', async () => {
    const server = track(await startSignalingServer({ host: '127.0.0.1', port: 0, access: { kind: 'shared', token: SHARED } }));
    // Without our token PeerJS sends its own random one: told it needs one, not that it is wrong.
    expect(await outcome(server.port, peerId(1))).toEqual({ type: 'server-error', message: 'This signaling server needs an access token.' });
    expect(await outcome(server.port, peerId(3), { token: 'not-the-shared-token-at-all' })).toEqual({ type: 'server-error', message: 'The access token is not valid on this signaling server.' });
    expect(await outcome(server.port, 'ferry-NOTAFERRYID1234')).toEqual({ type: 'server-error', message: expect.stringContaining('Invalid peer id') });
    expect(await outcome(server.port, peerId(2), { token: SHARED })).toEqual({ open: true });
    // The id is connected: a second client holding the same shared token cannot take it.
    expect(await outcome(server.port, peerId(2), { token: SHARED })).toEqual({ type: 'unavailable-id', message: `ID "${peerId(2)}" is taken` });
  });

  it('from a disallowed origin, is told why', async () => {
    const server = track(await startSignalingServer({ host: '127.0.0.1', port: 0, allowedOrigins: ['https://ok.example'] }));
    // ws lets Node set the Origin a browser would send.
    class BrowserLikeSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin: 'https://evil.example' });
      }
    }
    Object.assign(globalThis, { WebSocket: BrowserLikeSocket });
    try {
      expect(await outcome(server.port, peerId(3))).toEqual({ type: 'server-error', message: expect.stringContaining('origin is not allowed') });
    } finally {
      Object.assign(globalThis, { WebSocket });
    }
  });
});
