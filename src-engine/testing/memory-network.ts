import type { RtcDataChannelInit, RtcDataChannelLike, Runtime } from '../../src-core/index.js';
import type { RtcStatsReportLike } from '../link/connection-path.js';
import type { CreateSignalingPeer, DataConnectionPort, PeerConnectionPort, SignalingPeerError, SignalingPeerOptions, SignalingPeerPort } from '../ports/signaling.js';

/*
 * A signaling server and WebRTC in memory, for running real Engines against each other in one
 * process: a PeerJS-like `Peer` per registration (ids, `connect`, `connection`, peer-unavailable,
 * unavailable-id), and per connection a pair of RTCPeerConnection-likes with SDPs that carry DTLS
 * fingerprints and `a=max-message-size` (so channel binding and chunk sizing work), a control
 * DataChannel, pre-negotiated channels matched by stream id, and getStats for the path.
 *
 * Channels behave as the stacks do where the engine depends on it: a negotiated channel opens on
 * its side once the connection is up, whether or not the other side has created its stream yet,
 * and what arrives for a stream the receiving side has not created is dropped (Chromium does
 * this); `send` copies; `bufferedAmount` drains at `bytesPerMs` and 'bufferedamountlow' fires when
 * it falls to the threshold; closing one end closes the other. Every message passes the network's
 * interceptors, which may drop or replace it (faults, hostile peers), and may be delayed.
 */

export interface MemoryNetworkOptions {
  runtime: Runtime;
  /** Bytes each channel hands to the "wire" per millisecond: buffers fill and backpressure works. */
  bytesPerMs?: number;
  /** One-way delay of every message and signaling step, in ms. */
  delayMs?: number;
  /** Extra random delay (0..jitterMs) for messages on unordered channels: they arrive out of order. */
  jitterMs?: number;
  /** How long a connection takes from offer to open (ICE, DTLS), in ms. */
  connectMs?: number;
  /** Randomness for jitter and faults, in [0, 1). */
  random?: () => number;
  /** The SCTP max-message-size each side announces (Chromium and libwebrtc: 262,144). */
  maxMessageSize?: number;
}

/** What kind of connection a message travels on. */
export type MemoryConnectionKind = 'link' | 'stripe' | 'pairing';

/** A message on its way, as interceptors see it. */
export interface WireMessage {
  readonly connectionId: string;
  readonly kind: MemoryConnectionKind;
  /** Peer ids of the sending and the receiving side. */
  readonly from: string;
  readonly to: string;
  /** 'control' for the PeerJS connection's own channel, else the channel's label (`ferry-<mode>`). */
  readonly channel: string;
  readonly ordered: boolean;
  readonly data: ArrayBuffer | string;
}

/** What an interceptor does with a message: nothing (undefined), drop it, or replace it. */
export type WireVerdict = undefined | 'drop' | { replace: ArrayBuffer | string };

type Listener = (...args: never[]) => void;

class Emitter {
  private readonly listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  protected emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
}

let nextSerial = 1;

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

function sdpFor(fingerprint: string, maxMessageSize: number): string {
  return ['v=0', 'o=- 0 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', `a=fingerprint:sha-256 ${fingerprint}`, 'a=sctp-port:5000', `a=max-message-size:${maxMessageSize}`, ''].join('\r\n');
}

/** A DataChannel in memory: one end of a pair (see the file's comment for what it promises). */
export class MemoryDataChannel implements RtcDataChannelLike {
  readyState: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  private readonly listeners = new Map<string, Set<(event: { data?: unknown }) => void>>();
  private readonly queue: Array<ArrayBuffer | string> = [];
  private draining = false;
  /** Messages this end sent, dropped by the network, and dropped for want of a stream at the other end. */
  readonly stats = { sent: 0, dropped: 0, unrouted: 0 };

  /** When the last message of an ordered channel arrives: later ones never overtake it. */
  private lastArrival = 0;

  constructor(
    readonly label: string,
    readonly init: RtcDataChannelInit,
    /** @internal */
    readonly pc: MemoryPeerConnection,
  ) {}

  /** @internal How long from now the message sent now arrives (in order, on an ordered channel). */
  arrivalDelay(delayMs: number): number {
    const now = this.pc.network.runtime.now();
    if (!this.ordered) return delayMs;
    this.lastArrival = Math.max(now + delayMs, this.lastArrival);
    return this.lastArrival - now;
  }

  get ordered(): boolean {
    return this.init.ordered !== false;
  }

  /** A channel that may lose messages: partial reliability. */
  get lossy(): boolean {
    return this.init.maxRetransmits !== undefined || this.init.maxPacketLifeTime !== undefined;
  }

  send(data: ArrayBuffer | string): void {
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: the data channel is ${this.readyState}.`);
    const size = typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
    if (size > this.pc.remoteMaxMessageSize) throw new TypeError(`The message (${size} bytes) is larger than the peer accepts.`);
    this.stats.sent++;
    this.queue.push(typeof data === 'string' ? data : data.slice(0));
    this.bufferedAmount += size;
    if (!this.draining) this.drain();
  }

  close(): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.closeLocal();
    this.pc.network.later(this.pc.network.delayMs, () => this.pc.remote?.channelClosedByPeer(this));
  }

  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  /** @internal */
  dispatch(type: string, event: { data?: unknown } = {}): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }

  /** @internal The connection is up: this end opens (whatever the other end has done). */
  openNow(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.dispatch('open');
  }

  /** @internal */
  closeLocal(): void {
    if (this.readyState === 'closed') return;
    const wasOpen = this.readyState === 'open' || this.readyState === 'connecting';
    this.readyState = 'closed';
    this.queue.length = 0;
    this.bufferedAmount = 0;
    // Browsers fire 'close' from a task of their own, never inside close().
    if (wasOpen) this.pc.network.later(0, () => this.dispatch('close'));
  }

  /** @internal A message for this end arrived. */
  receive(data: ArrayBuffer | string): void {
    if (this.readyState !== 'open') return;
    this.dispatch('message', { data: typeof data === 'string' ? data : data.slice(0) });
  }

  /**
   * Puts the next queued message on the wire: it leaves at once (what is on the wire arrives,
   * even if the channel closes next) and occupies the channel for its size at `bytesPerMs`;
   * `bufferedAmount` counts it until then. What is still queued when the channel closes is lost.
   */
  private drain(): void {
    const message = this.queue.shift();
    if (message === undefined || this.readyState !== 'open') {
      this.draining = false;
      return;
    }
    this.draining = true;
    const size = typeof message === 'string' ? new TextEncoder().encode(message).length : message.byteLength;
    this.pc.network.transmit(this, message);
    const rate = this.pc.network.bytesPerMs;
    this.pc.network.later(rate ? Math.floor(size / rate) : 0, () => {
      if (this.readyState !== 'open') {
        this.draining = false;
        return;
      }
      const before = this.bufferedAmount;
      this.bufferedAmount = Math.max(0, this.bufferedAmount - size);
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.dispatch('bufferedamountlow');
      this.drain();
    });
  }
}

/** One side of a connection: an RTCPeerConnection as the engine uses it. */
export class MemoryPeerConnection implements PeerConnectionPort {
  remote: MemoryPeerConnection | undefined;
  /** The DataConnection end this connection belongs to. */
  connection: MemoryConnection | undefined;
  connected = false;
  closed = false;
  /** Pre-negotiated channels by stream id, and the connection's own control channel. */
  readonly negotiated = new Map<number, MemoryDataChannel>();
  control: MemoryDataChannel | undefined;
  readonly fingerprint: string;
  /** What this side believes the other's fingerprint is (a relay in the middle changes it). */
  remoteFingerprint: string | undefined;
  remoteMaxMessageSize: number;

  constructor(
    readonly network: MemoryNetwork,
    readonly peerId: string,
  ) {
    this.fingerprint = hex(network.runtime.randomBytes(32));
    this.remoteMaxMessageSize = network.maxMessageSize;
  }

  get localDescription(): { sdp: string } {
    return { sdp: sdpFor(this.fingerprint, this.network.maxMessageSize) };
  }

  get remoteDescription(): { sdp: string } | null {
    const fingerprint = this.remoteFingerprint ?? this.remote?.fingerprint;
    return fingerprint ? { sdp: sdpFor(fingerprint, this.remoteMaxMessageSize) } : null;
  }

  createDataChannel(label: string, init: RtcDataChannelInit): RtcDataChannelLike {
    if (this.closed) throw new Error('InvalidStateError: the connection is closed.');
    if (!init.negotiated || init.id === undefined) throw new Error('The memory network makes pre-negotiated channels only (Ferry makes no others).');
    if (this.negotiated.has(init.id)) throw new Error(`OperationError: stream ${init.id} is taken.`);
    const channel = new MemoryDataChannel(label, init, this);
    this.negotiated.set(init.id, channel);
    if (this.connected) this.network.later(0, () => channel.openNow());
    return channel;
  }

  async getStats(): Promise<RtcStatsReportLike> {
    const type = this.network.relayed ? 'relay' : 'host';
    const reports = new Map<string, Record<string, unknown>>([
      ['T01', { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP01' }],
      ['CP01', { id: 'CP01', type: 'candidate-pair', localCandidateId: 'L01', remoteCandidateId: 'R01', nominated: true, state: 'succeeded' }],
      ['L01', { id: 'L01', type: 'local-candidate', candidateType: type }],
      ['R01', { id: 'R01', type: 'remote-candidate', candidateType: type }],
    ]);
    return { forEach: (callback) => reports.forEach((report) => callback(report)), get: (id) => reports.get(id) };
  }

  /** @internal The connection is up: every channel made so far opens. */
  connect(): void {
    if (this.closed) return;
    this.connected = true;
    for (const channel of this.negotiated.values()) channel.openNow();
    this.control?.openNow();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const channel of [...this.negotiated.values(), ...(this.control ? [this.control] : [])]) channel.closeLocal();
  }

  /** @internal The other side closed one of its channels: its twin here closes. */
  channelClosedByPeer(channel: MemoryDataChannel): void {
    const twin = this.twinOf(channel);
    twin?.closeLocal();
  }

  /** @internal The channel at this side that receives what `channel` (the other side's) sends. */
  twinOf(channel: MemoryDataChannel): MemoryDataChannel | undefined {
    if (channel === this.remote?.control) return this.control;
    return channel.init.id === undefined ? undefined : this.negotiated.get(channel.init.id);
  }
}

/** One end of a PeerJS DataConnection (`serialization: 'raw'`). */
export class MemoryConnection extends Emitter implements DataConnectionPort {
  open = false;
  closed = false;
  remote: MemoryConnection | undefined;
  readonly dataChannel: MemoryDataChannel;

  constructor(
    readonly network: MemoryNetwork,
    readonly owner: MemoryPeer,
    readonly peer: string,
    readonly connectionId: string,
    readonly metadata: unknown,
    readonly peerConnection: MemoryPeerConnection,
  ) {
    super();
    this.dataChannel = new MemoryDataChannel('control', { ordered: true }, peerConnection);
    peerConnection.control = this.dataChannel;
    peerConnection.connection = this;
    this.dataChannel.addEventListener('open', () => {
      if (this.closed) return;
      this.open = true;
      this.emit('open');
    });
    this.dataChannel.addEventListener('close', () => this.close());
  }

  get kind(): MemoryConnectionKind {
    const metadata = this.metadata as { ferryStripeOf?: unknown; ferryPairing?: unknown } | undefined;
    if (metadata?.ferryStripeOf !== undefined) return 'stripe';
    if (metadata?.ferryPairing !== undefined) return 'pairing';
    return 'link';
  }

  override on(event: 'open' | 'close', listener: () => void): this;
  override on(event: 'error', listener: (error: Error) => void): this;
  override on(event: string, listener: Listener): this {
    return super.on(event, listener);
  }

  /** As PeerJS's: 'close' is heard only for a connection that was open. */
  close(): void {
    if (this.closed) return;
    const wasOpen = this.open;
    this.closed = true;
    this.open = false;
    this.peerConnection.close();
    this.owner.forget(this);
    if (wasOpen) this.emit('close');
    const remote = this.remote;
    if (remote) this.network.later(this.network.delayMs, () => remote.close());
  }

  /** @internal */
  fail(message: string): void {
    this.emit('error', new Error(message));
    this.close();
  }
}

/** A registration on the memory signaling server: PeerJS's `Peer` as the engine uses it. */
export class MemoryPeer extends Emitter implements SignalingPeerPort {
  disconnected = true;
  destroyed = false;
  readonly connections = new Set<MemoryConnection>();

  constructor(
    readonly network: MemoryNetwork,
    readonly id: string,
    readonly options: SignalingPeerOptions,
  ) {
    super();
    network.later(network.delayMs, () => this.register());
  }

  override on(event: 'open', listener: (id: string) => void): this;
  override on(event: 'connection', listener: (connection: DataConnectionPort) => void): this;
  override on(event: 'disconnected' | 'close', listener: () => void): this;
  override on(event: 'error', listener: (error: SignalingPeerError) => void): this;
  override on(event: string, listener: Listener): this {
    return super.on(event, listener);
  }

  connect(peerId: string, options: { serialization: 'raw'; reliable: boolean; metadata?: unknown }): DataConnectionPort {
    return this.network.dial(this, peerId, options.metadata);
  }

  reconnect(): void {
    if (this.destroyed || !this.disconnected) return;
    this.network.later(this.network.delayMs, () => this.register());
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.dropRegistration();
    for (const connection of [...this.connections]) connection.close();
    this.emit('close');
  }

  /** The signaling server went away for this peer (its connections stay up, as PeerJS's do). */
  disconnect(): void {
    if (this.disconnected || this.destroyed) return;
    this.dropRegistration();
    this.emit('disconnected');
  }

  /** @internal */
  accept(connection: MemoryConnection): void {
    this.connections.add(connection);
    this.emit('connection', connection);
  }

  /** @internal */
  forget(connection: MemoryConnection): void {
    this.connections.delete(connection);
  }

  /** @internal */
  error(type: string, message: string): void {
    this.emit('error', { type, message });
  }

  private register(): void {
    if (this.destroyed || !this.disconnected) return;
    const holder = this.network.peers.get(this.id);
    if (holder && holder !== this) {
      this.error('unavailable-id', `ID "${this.id}" is taken`);
      return;
    }
    this.network.peers.set(this.id, this);
    this.disconnected = false;
    this.emit('open', this.id);
  }

  private dropRegistration(): void {
    this.disconnected = true;
    if (this.network.peers.get(this.id) === this) this.network.peers.delete(this.id);
  }
}

/**
 * The network: the signaling server's registry, the connections between its peers, and what
 * happens to messages on the way (interceptors, delay, jitter).
 */
export class MemoryNetwork {
  readonly runtime: Runtime;
  readonly peers = new Map<string, MemoryPeer>();
  /** Every connection end made, the dialer's first (for tests that look for links and stripes). */
  readonly connections: MemoryConnection[] = [];
  bytesPerMs: number;
  delayMs: number;
  jitterMs: number;
  connectMs: number;
  readonly maxMessageSize: number;
  /** Connections report a TURN relay as their path. */
  relayed = false;
  /**
   * A relay in the middle: connections made while set terminate DTLS twice, so each side sees a
   * fingerprint for the other that the other does not have (what a man in the middle does).
   */
  manInTheMiddle = false;
  /**
   * How many of the next connections of each kind die before they open, both ends, as
   * libdatachannel#1612's DTLS race makes one now and then (PeerJS says "Connection to X closed.").
   */
  readonly toLoseBeforeOpen = new Map<MemoryConnectionKind, number>();
  private readonly interceptors = new Set<(message: WireMessage) => WireVerdict>();
  private readonly random: () => number;

  constructor(options: MemoryNetworkOptions) {
    this.runtime = options.runtime;
    this.bytesPerMs = options.bytesPerMs ?? 40_000;
    this.delayMs = options.delayMs ?? 0;
    this.jitterMs = options.jitterMs ?? 0;
    this.connectMs = options.connectMs ?? 5;
    this.maxMessageSize = options.maxMessageSize ?? 262_144;
    this.random = options.random ?? Math.random;
  }

  /** The engine's CreateSignalingPeer on this network. */
  readonly createPeer: CreateSignalingPeer = (id, options) => new MemoryPeer(this, id, options);

  /** Sees every message before it is delivered; returns a function that removes it. */
  intercept(interceptor: (message: WireMessage) => WireVerdict): () => void {
    this.interceptors.add(interceptor);
    return () => this.interceptors.delete(interceptor);
  }

  /** The open connection ends `from` holds with `to`, of a kind. */
  openConnections(from: string, to: string, kind?: MemoryConnectionKind): MemoryConnection[] {
    return this.connections.filter((c) => c.owner.id === from && c.peer === to && c.open && !c.closed && (kind === undefined || c.kind === kind));
  }

  /** @internal */
  later(ms: number, callback: () => void): void {
    this.runtime.setTimer(ms, callback);
  }

  /** @internal */
  dial(from: MemoryPeer, to: string, metadata: unknown): MemoryConnection {
    if (from.destroyed || from.disconnected) throw new Error('Cannot connect to new Peer after disconnecting from server.');
    const connectionId = `dc_mem${nextSerial++}`;
    const local = new MemoryPeerConnection(this, from.id);
    const remote = new MemoryPeerConnection(this, to);
    local.remote = remote;
    remote.remote = local;
    if (this.manInTheMiddle) {
      local.remoteFingerprint = hex(this.runtime.randomBytes(32));
      remote.remoteFingerprint = hex(this.runtime.randomBytes(32));
    }
    const dialer = new MemoryConnection(this, from, to, connectionId, metadata, local);
    from.connections.add(dialer);
    this.connections.push(dialer);
    // The offer reaches the server, which forwards it or says nobody is there.
    this.later(this.delayMs, () => {
      if (dialer.closed) return;
      const target = this.peers.get(to);
      if (!target || target.disconnected || target.destroyed) {
        from.error('peer-unavailable', `Could not connect to peer ${to}`);
        dialer.close();
        return;
      }
      const answerer = new MemoryConnection(this, target, from.id, connectionId, metadata, remote);
      dialer.remote = answerer;
      answerer.remote = dialer;
      this.connections.push(answerer);
      target.accept(answerer);
      // The answer, ICE and DTLS: then both sides are up at once.
      this.later(this.delayMs + this.connectMs, () => {
        if (dialer.closed || answerer.closed) {
          dialer.close();
          answerer.close();
          return;
        }
        const toLose = this.toLoseBeforeOpen.get(dialer.kind) ?? 0;
        if (toLose > 0) {
          this.toLoseBeforeOpen.set(dialer.kind, toLose - 1);
          dialer.fail(`Connection to ${to} closed.`);
          answerer.fail(`Connection to ${from.id} closed.`);
          return;
        }
        local.connect();
        remote.connect();
      });
    });
    return dialer;
  }

  /** @internal A channel's message leaves its sender: interceptors, loss of a missing stream, delay. */
  transmit(channel: MemoryDataChannel, data: ArrayBuffer | string): void {
    const pc = channel.pc;
    const remotePc = pc.remote;
    const connection = pc.connection;
    if (!remotePc || !connection) return;
    let message = data;
    const info: WireMessage = {
      connectionId: connection.connectionId,
      kind: connection.kind,
      from: pc.peerId,
      to: remotePc.peerId,
      channel: channel === pc.control ? 'control' : channel.label,
      ordered: channel.ordered,
      data,
    };
    for (const interceptor of this.interceptors) {
      const verdict = interceptor(info);
      if (verdict === 'drop') {
        channel.stats.dropped++;
        return;
      }
      if (verdict !== undefined) message = verdict.replace;
    }
    const jitter = !channel.ordered && this.jitterMs > 0 ? Math.floor(this.random() * this.jitterMs) : 0;
    this.later(channel.arrivalDelay(this.delayMs + jitter), () => {
      const twin = remotePc.twinOf(channel);
      // Chromium drops what arrives on a stream its side has not created (yet).
      if (!twin) {
        channel.stats.unrouted++;
        return;
      }
      twin.receive(message);
    });
  }
}
