/*
 * PeerJS on @roamhq/wrtc as the engine's CreateSignalingPeer: another WebRTC stack (libwebrtc, as
 * Chromium's) for the engine to meet in the lab, so the conformance suite runs node-datachannel
 * against it. Test only: the shipped engine runs on node-datachannel (ARCHITECTURE.md says why).
 *
 * What wrtc lacks, made up for here at the port, never in the engine:
 * - no 'bufferedamountlow' event: a channel whose buffer is above the threshold is watched until
 *   it falls to it (every 2 ms), and the engine's listeners hear it then;
 * - received data are external ArrayBuffers (which Electron's memory cage forbids): each message
 *   is copied into an ordinary one before the engine sees it;
 * - its addIceCandidate refuses a candidate whose sdpMLineIndex is null ("Expected a 32-bit
 *   integer"), which node-datachannel's PeerJS sends (with sdpMid): PeerJS reports that as an
 *   error of the Peer, which ends a pairing slot's wait. Such a candidate gets index 0 here (Ferry
 *   negotiates one m-line), as Chromium reads it.
 */
import type { RtcDataChannelInit, RtcDataChannelLike } from '../../src-core/index.js';
import type { CreateSignalingPeer, DataConnectionPort, PeerConnectionPort, SignalingPeerPort } from '../../src-engine/index.js';
import wrtc from '@roamhq/wrtc';
import { Peer } from './wrtc-peerjs.js';

// PeerJS hands each candidate that arrives to addIceCandidate as it came (plain JSON).
const prototype = wrtc.RTCPeerConnection.prototype as unknown as { addIceCandidate(candidate?: Record<string, unknown> | null): Promise<void> };
const addIceCandidate = prototype.addIceCandidate;
prototype.addIceCandidate = function (candidate) {
  const fixed = candidate && (candidate.sdpMLineIndex === null || candidate.sdpMLineIndex === undefined) ? { ...candidate, sdpMLineIndex: 0 } : candidate;
  return addIceCandidate.call(this, fixed);
};

type Listener = (event: { data?: unknown }) => void;

/** wrtc's RTCDataChannel, as far as this port touches it. */
interface WrtcChannel {
  readonly readyState: string;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: ArrayBuffer | string): void;
  close(): void;
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

const POLL_MS = 2;

class WrtcDataChannel implements RtcDataChannelLike {
  bufferedAmountLowThreshold = 0;
  private readonly lowListeners = new Set<Listener>();
  private readonly wrapped = new Map<Listener, Listener>();
  private watching: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly channel: WrtcChannel) {
    channel.addEventListener('close', () => this.stopWatching());
  }

  get readyState(): string {
    return this.channel.readyState;
  }

  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  get binaryType(): string {
    return this.channel.binaryType;
  }

  set binaryType(value: string) {
    this.channel.binaryType = value;
  }

  send(data: ArrayBuffer | string): void {
    this.channel.send(data);
    if (this.lowListeners.size > 0 && this.channel.bufferedAmount > this.bufferedAmountLowThreshold) this.watch();
  }

  close(): void {
    this.stopWatching();
    this.channel.close();
  }

  addEventListener(type: 'open' | 'message' | 'bufferedamountlow' | 'close' | 'error', listener: Listener): void {
    if (type === 'bufferedamountlow') {
      this.lowListeners.add(listener);
      return;
    }
    if (type === 'message') {
      const copying: Listener = (event) => listener({ data: event.data instanceof ArrayBuffer ? event.data.slice(0) : event.data });
      this.wrapped.set(listener, copying);
      this.channel.addEventListener(type, copying);
      return;
    }
    this.channel.addEventListener(type, listener);
  }

  removeEventListener(type: 'open' | 'message' | 'bufferedamountlow' | 'close' | 'error', listener: Listener): void {
    if (type === 'bufferedamountlow') {
      this.lowListeners.delete(listener);
      return;
    }
    this.channel.removeEventListener(type, this.wrapped.get(listener) ?? listener);
    this.wrapped.delete(listener);
  }

  private watch(): void {
    if (this.watching) return;
    this.watching = setInterval(() => {
      if (this.channel.readyState !== 'open') return this.stopWatching();
      if (this.channel.bufferedAmount > this.bufferedAmountLowThreshold) return;
      this.stopWatching();
      for (const listener of [...this.lowListeners]) listener({});
    }, POLL_MS);
  }

  private stopWatching(): void {
    if (this.watching) clearInterval(this.watching);
    this.watching = undefined;
  }
}

const channels = new WeakMap<object, WrtcDataChannel>();
const connections = new WeakMap<object, DataConnectionPort>();
const peerConnections = new WeakMap<object, PeerConnectionPort>();

function channel(raw: WrtcChannel): WrtcDataChannel {
  let wrapped = channels.get(raw);
  if (!wrapped) channels.set(raw, (wrapped = new WrtcDataChannel(raw)));
  return wrapped;
}

function peerConnection(raw: PeerConnectionPort): PeerConnectionPort {
  let wrapped = peerConnections.get(raw);
  if (!wrapped) {
    wrapped = {
      get localDescription() {
        return raw.localDescription;
      },
      get remoteDescription() {
        return raw.remoteDescription;
      },
      getStats: () => raw.getStats(),
      createDataChannel: (label: string, init: RtcDataChannelInit) => channel(raw.createDataChannel(label, init) as unknown as WrtcChannel),
    };
    peerConnections.set(raw, wrapped);
  }
  return wrapped;
}

/** PeerJS's DataConnection, its RTCPeerConnection's channels and its own channel wrapped. */
function connection(raw: DataConnectionPort): DataConnectionPort {
  let wrapped = connections.get(raw);
  if (!wrapped) {
    wrapped = new Proxy(raw, {
      get(target, property) {
        if (property === 'peerConnection') return target.peerConnection ? peerConnection(target.peerConnection) : undefined;
        if (property === 'dataChannel') return target.dataChannel ? channel(target.dataChannel as unknown as WrtcChannel) : undefined;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    connections.set(raw, wrapped);
  }
  return wrapped;
}

/** A PeerJS Peer on @roamhq/wrtc, registered with the signaling server, as the engine's port. */
export const createWrtcSignalingPeer: CreateSignalingPeer = (id, options) => {
  const peer = new Peer(id, { ...options, config: { ...options.config } }) as unknown as SignalingPeerPort;
  const port: SignalingPeerPort = {
    get disconnected() {
      return peer.disconnected;
    },
    get destroyed() {
      return peer.destroyed;
    },
    get options() {
      return peer.options;
    },
    on: ((event: string, listener: (...args: unknown[]) => void) => {
      if (event === 'connection') peer.on('connection', (raw) => listener(connection(raw)));
      else (peer.on as (event: string, listener: (...args: unknown[]) => void) => unknown)(event, listener);
      return port;
    }) as SignalingPeerPort['on'],
    connect: (peerId, connectOptions) => {
      const raw = peer.connect(peerId, connectOptions);
      return raw ? connection(raw) : undefined;
    },
    reconnect: () => peer.reconnect(),
    destroy: () => peer.destroy(),
  };
  return port;
};
