/*
 * PeerJS on node-datachannel: the Node host's CreateSignalingPeer.
 *
 * PeerJS expects a browser: RTCPeerConnection, RTCSessionDescription, RTCIceCandidate,
 * WebSocket and location.protocol as globals. node-datachannel/polyfill (0.33.4, libdatachannel
 * 0.24, libjuice) provides the RTC classes, `ws` the WebSocket. Checked Node to Node in the lab
 * (e2e/node-datachannel.integration.test.ts), what Ferry needs works as the polyfill has it: raw
 * binary messages both ways (ArrayBuffers, copied into the JS heap), pre-negotiated channels made
 * before or after the connection is up, unordered and maxRetransmits channels, bufferedAmount,
 * bufferedAmountLowThreshold and 'bufferedamountlow', max-message-size and DTLS fingerprints in
 * both descriptions, getStats with the selected pair, close reaching the other side at once.
 *
 * What it lacks, and how this port makes up for it:
 * 1. PeerJS probes the browser as it loads, with a real RTCPeerConnection on its own cloud servers
 *    (Google STUN, peerjs.com TURN): on node-datachannel that starts an offer and ICE gathering,
 *    so loading PeerJS reaches out to third-party hosts. It probes a stand-in (peerjs-probe.ts).
 * 2. TURN credentials are pasted raw into `turn:user:pass@host`, which libdatachannel splits at
 *    the first colon: a TURN REST username (`<expiry>:<peer id>`) authenticates as the expiry
 *    alone and coturn refuses every allocation. They go in percent-encoded (ice-servers.ts).
 * 3. iceTransportPolicy 'relay' only hides our own candidates: libjuice still checks from the host
 *    address, so a relay-only device connects directly to a peer that is not, which learns its
 *    address. Relay only, it is shown the peer's relay candidates only (relay-only.ts).
 * 4. In Node an exception in PeerJS's handlers is an uncaught exception (ws and EventTarget
 *    rethrow it): one offer through the server — an unknown serialization, no payload, or json
 *    followed by a message that is not JSON — kills the host. Only raw data offers reach PeerJS
 *    (signaling-guard.ts); Ferry speaks nothing else.
 * 5. Its RTCDataChannel reports an error with `new RTCError(...)`, a global it never defines (a
 *    ReferenceError instead of an 'error' event): defined here. Latent: libdatachannel 0.24
 *    reports no data channel errors.
 * 6. It rewrites the configuration it is given (PeerJS hands it the engine's): it gets a copy.
 * 7. libjuice never releases a TURN allocation (no Refresh with LIFETIME 0, on close or ever): each
 *    connection left its relays on the TURN server for their 600 s lifetime. A connection with a
 *    TURN server binds a local port chosen here (local-udp-ports.ts) and, once closed and its
 *    port let go, its allocations are released from that port (turn-release.ts); a stopping host
 *    waits for that, bounded (closeNodePeerConnections).
 * 8. libjuice reports 'connected', and data channels open, on the first candidate pair that
 *    works while better ones are still being checked; it moves to the best and nominates it up
 *    to 2 s later. Behind two NATs a relayed pair often works a few hundred ms before the direct
 *    one, so a path read from the stats as the link opens said "relayed" for a direct
 *    connection. getStats waits (bounded) for ICE to settle (node-rtc-peer-connection.ts).
 * Not made up for (libjuice): TURN over TCP or TLS is skipped with a warning, one STUN server and
 * two TURN servers are used at most; a relay-only device reaches only peers with a relay
 * candidate of their own (3); what is sent before ICE settles (8) may go through a relay that the
 * connection then leaves. An exception in any other listener on these objects still ends the
 * process, as Node has it.
 */
import { createRequire } from 'node:module';
import { RTCError, RTCIceCandidate, RTCSessionDescription } from 'node-datachannel/polyfill';
import WebSocket from 'ws';
import type { CreateSignalingPeer, SignalingPeerOptions, SignalingPeerPort } from '../../src-engine/ports/signaling.js';
import { NodeRtcPeerConnection, prepareNodePeerConnections } from './node-rtc-peer-connection.js';
import { PeerJsProbeConnection } from './peerjs-probe.js';
import { admitSignalingMessage } from './signaling-guard.js';

/**
 * `ws` as a browser's WebSocket: a browser reports a failed or reset connection as an `error`
 * event and then `close`; `ws` emits 'error' on an EventEmitter, which throws (and ends the
 * process) when nobody listens — PeerJS only sets `onclose`. Listen always; PeerJS hears `close`.
 */
class BrowserLikeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

/** PeerJS's Peer as this file uses it (its types need the DOM). */
interface PeerJsPeer {
  readonly options: { debug?: number };
  _handleMessage(message: unknown): void;
}
type PeerJsPeerClass = new (id: string, options: object) => PeerJsPeer;

let GuardedPeer: PeerJsPeerClass | undefined;

/** Installs what PeerJS expects of a browser and loads it; once per process. */
function loadPeerJs(): PeerJsPeerClass {
  if (GuardedPeer) return GuardedPeer;
  const globals = globalThis as Record<string, unknown>;
  Object.assign(globals, { WebSocket: BrowserLikeWebSocket, RTCSessionDescription, RTCIceCandidate });
  // PeerJS reads location.protocol only to default `secure`; the engine always sets it.
  globals.location ??= { protocol: 'http:' };
  // The polyfill's RTCDataChannel reports a channel error as `new RTCError(...)`, a global it
  // never defines (ReferenceError, an uncaught exception, instead of an 'error' event).
  globals.RTCError ??= RTCError;
  // PeerJS probes the browser as it loads: let it probe a stand-in, not a real connection.
  globals.RTCPeerConnection = PeerJsProbeConnection;
  let Peer: PeerJsPeerClass;
  try {
    // peerjs ships CommonJS without an exports map; require it as such.
    ({ Peer } = createRequire(import.meta.url)('peerjs') as { Peer: PeerJsPeerClass });
  } finally {
    globals.RTCPeerConnection = NodeRtcPeerConnection;
  }
  GuardedPeer = class extends Peer {
    override _handleMessage(message: unknown): void {
      const admitted = admitSignalingMessage(message);
      if (admitted !== undefined) super._handleMessage(admitted);
      else if ((this.options.debug ?? 0) >= 2) console.warn(`PeerJS: dropped a signaling message Ferry does not accept (${describe(message)}).`);
    }
  };
  // Hold local ports for the connections to come (TURN allocations are released from them).
  prepareNodePeerConnections();
  return GuardedPeer;
}

/** The message's type and sender, quoted (they come from the network). */
function describe(message: unknown): string {
  if (typeof message !== 'object' || message === null) return typeof message;
  const { type, src } = message as { type?: unknown; src?: unknown };
  return `${JSON.stringify(type) ?? 'no type'} from ${JSON.stringify(src) ?? 'nobody'}`;
}

export { closeNodePeerConnections } from './node-rtc-peer-connection.js';

/** A PeerJS Peer registered with the signaling server, over node-datachannel. */
export const createNodeSignalingPeer: CreateSignalingPeer = (id: string, options: SignalingPeerOptions): SignalingPeerPort => {
  const Peer = loadPeerJs();
  // PeerJS's own types need the DOM; the engine's port is its structural view of the same object.
  return new Peer(id, { ...options }) as unknown as SignalingPeerPort;
};
