import { backoffDelay, createPeerId, type Runtime, type TimerHandle } from '../../src-core/index.js';
import type { SignalingConfig } from '../contract/device.js';
import type { CreateSignalingPeer, DataConnectionPort, IceServerConfig, SignalingPeerError, SignalingPeerOptions, SignalingPeerPort } from '../ports/signaling.js';

/** How often a kept device id is tried again when the server says it is taken. */
const KEPT_ID_RETRIES = 3;
/** One connection attempt to the signaling server, from the socket to the server's OPEN. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export type SignalingState =
  | { kind: 'connecting'; peerId: string }
  | { kind: 'connected'; peerId: string }
  | { kind: 'reconnecting'; peerId: string; attempt: number; retryAt: number; lastError: string }
  | { kind: 'offline'; peerId: string; reason: string };

export interface SignalingClientEvents {
  state(state: SignalingState): void;
  /** A device opened a connection to us. */
  incoming(connection: DataConnectionPort): void;
  /** A connection we asked for found no such device on the server. */
  peerUnavailable(peerId: string): void;
}

/** A per-device access token (`ferry-signal token`): "<expiry>.<HMAC, base64url>". */
const PER_DEVICE_TOKEN = /^\d{1,12}\.[A-Za-z0-9_-]{43}$/;

/** Server refusals that retrying cannot cure (the token or the origin is wrong). */
const REFUSED_FOR_GOOD = /access token|origin is not allowed|Invalid peer id|Invalid key/i;

/** PeerJS errors after which retrying cannot help: the configuration is wrong. */
const FATAL_ERRORS = new Set(['browser-incompatible', 'invalid-key', 'invalid-id', 'ssl-unavailable']);

/**
 * Our presence on the signaling server: one PeerJS `Peer`, kept connected with exponential
 * backoff when the server goes away, and recreated with a new id if ours was taken.
 */
export class SignalingClient {
  private peer: SignalingPeerPort | undefined;
  private peerId: string;
  private attempt = 0;
  private retryTimer: TimerHandle | undefined;
  /** Bounds each attempt: a server that takes the connection and never answers is retried. */
  private attemptTimer: TimerHandle | undefined;
  private stopped = false;
  private idTakenCount = 0;
  private current: SignalingState;
  private iceServers: IceServerConfig[];
  /** The reason in the server's last ERROR message, until the reconnect that follows shows it. */
  private serverSaid: string | undefined;
  /** The id derives from this device's identity key (kept whatever happens). */
  private readonly idIsOwnKeys: boolean;
  private readonly runtime: Runtime;

  constructor(
    private readonly config: SignalingConfig,
    private readonly platform: { runtime: Runtime; createPeer: CreateSignalingPeer; debug: 0 | 1 | 2 | 3 },
    private readonly events: SignalingClientEvents,
    peerId?: string,
  ) {
    const { runtime } = platform;
    this.runtime = runtime;
    this.iceServers = config.iceServers;
    this.peerId = peerId ?? createPeerId(runtime);
    this.idIsOwnKeys = peerId !== undefined;
    this.current = { kind: 'connecting', peerId: this.peerId };
  }

  get state(): SignalingState {
    return this.current;
  }

  start(): void {
    this.createPeer();
  }

  /** Opens a raw DataConnection to another device; Ferry frames its own messages. */
  connect(remotePeerId: string, metadata?: unknown): DataConnectionPort {
    if (!this.peer || this.peer.disconnected || this.peer.destroyed) {
      throw new Error('Not connected to the signaling server; wait until it reconnects.');
    }
    const connection = this.peer.connect(remotePeerId, { serialization: 'raw', reliable: true, ...(metadata === undefined ? {} : { metadata }) });
    if (!connection) throw new Error('Could not start a connection to that device.');
    return connection;
  }

  /**
   * New STUN/TURN servers (fresh TURN credentials): PeerJS reads its options' config for every
   * RTCPeerConnection it makes, ours and those it answers, so the live peer takes them at once.
   */
  setIceServers(iceServers: IceServerConfig[]): void {
    this.iceServers = iceServers;
    const live = this.peer?.options.config as SignalingPeerOptions['config'] | undefined;
    if (live) live.iceServers = iceServers;
  }

  /** Skips the backoff wait (the network came back, or the user asked). */
  readonly retryNow = (): void => {
    if (this.current.kind !== 'reconnecting' || this.stopped) return;
    this.clearRetryTimer();
    this.reconnect();
  };

  stop(): void {
    this.stopped = true;
    this.clearRetryTimer();
    this.clearAttemptTimer();
    this.peer?.destroy();
  }

  /** A second registration on the same server (a pairing slot), without reconnection logic. */
  openSidePeer(id: string): SignalingPeerPort {
    const options = this.peerOptions();
    // A per-device token is bound to this device's id: for a pairing slot the server takes it
    // named ("<our id>.<token>", SPEC.md, "The signaling server"); a shared token goes as it is.
    const token = this.config.token;
    if (token && PER_DEVICE_TOKEN.test(token)) options.token = `${this.peerId}.${token}`;
    return this.platform.createPeer(id, options);
  }

  private peerOptions(): SignalingPeerOptions {
    const url = new URL(this.config.url);
    const secure = url.protocol === 'https:';
    return {
      host: url.hostname,
      port: Number(url.port || (secure ? 443 : 80)),
      path: url.pathname,
      secure,
      key: this.config.key,
      // The operator's access token travels as PeerJS's own token (checked before we register).
      ...(this.config.token ? { token: this.config.token } : {}),
      // "Relay only": candidates through TURN only, so peers never learn this device's addresses.
      config: { iceServers: this.iceServers, iceTransportPolicy: this.config.relayOnly ? 'relay' : 'all' },
      debug: this.platform.debug,
    };
  }

  /** A connection attempt that has not opened within ATTEMPT_TIMEOUT_MS is given up and retried. */
  private boundAttempt(): void {
    this.clearAttemptTimer();
    this.attemptTimer = this.runtime.setTimer(ATTEMPT_TIMEOUT_MS, () => {
      this.attemptTimer = undefined;
      if (this.stopped || this.current.kind !== 'connecting') return;
      const peer = this.peer;
      this.peer = undefined;
      peer?.destroy();
      this.scheduleReconnect(`The signaling server did not answer within ${ATTEMPT_TIMEOUT_MS / 1000} s.`);
    });
  }

  private clearAttemptTimer(): void {
    if (this.attemptTimer !== undefined) this.runtime.clearTimer(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  private createPeer(): void {
    const peer = this.platform.createPeer(this.peerId, this.peerOptions());
    this.peer = peer;
    this.setState({ kind: 'connecting', peerId: this.peerId });
    this.boundAttempt();

    peer.on('open', () => {
      if (peer !== this.peer) return;
      this.clearAttemptTimer();
      this.attempt = 0;
      this.idTakenCount = 0;
      this.setState({ kind: 'connected', peerId: this.peerId });
    });
    peer.on('connection', (connection) => {
      if (peer === this.peer) this.events.incoming(connection);
    });
    peer.on('disconnected', () => {
      if (peer === this.peer && !this.stopped) this.scheduleReconnect('Lost the connection to the signaling server.');
    });
    peer.on('close', () => {
      // Destroyed without our asking (e.g. the very first connection failed): start afresh.
      if (peer === this.peer && !this.stopped && this.current.kind !== 'offline') {
        this.peer = undefined;
        this.scheduleReconnect('The signaling server closed the connection.');
      }
    });
    peer.on('error', (error: SignalingPeerError) => {
      if (peer !== this.peer) return;
      const type = String(error.type);
      if (type === 'peer-unavailable') {
        const match = /peer (\S+)$/.exec(error.message);
        if (match?.[1]) this.events.peerUnavailable(match[1]);
        return;
      }
      if (type === 'unavailable-id') {
        // Someone holds our id on this server: most often our own previous session, not yet
        // dropped (a restart, a network change), so the id is tried again. An id derived from
        // this device's key is never given up (any other id would fail every authenticated
        // session): a squatter can only keep us off this server, and we say so. A random id
        // (no identity, tests) falls back to a fresh one after a few tries.
        this.peer = undefined;
        peer.destroy();
        if (++this.idTakenCount > KEPT_ID_RETRIES && this.idIsOwnKeys) {
          this.scheduleReconnect('Another connection holds this device’s id on the server (an earlier session of this device, or someone squatting it: they cannot pose as this device). Trying again.');
        } else if (this.idTakenCount > KEPT_ID_RETRIES) {
          this.peerId = createPeerId(this.runtime);
          this.scheduleReconnect('This device id was taken on the server; using a new one.');
        } else {
          this.scheduleReconnect('The server still holds this device id from an earlier session; trying again.');
        }
        return;
      }
      if (type === 'server-error') {
        // The server says why it refused us (ferry-signal sends its reason as an ERROR message).
        // A refused token or origin will not change by retrying: say so and stop.
        const words = error.message.replace(/^Server error: /, '');
        if (REFUSED_FOR_GOOD.test(words)) {
          this.setState({ kind: 'offline', peerId: this.peerId, reason: `The signaling server refused this device: ${words} Check the server and token in Settings.` });
          this.peer = undefined;
          peer.destroy();
          return;
        }
        this.serverSaid = words;
        return;
      }
      if (FATAL_ERRORS.has(type)) {
        this.setState({ kind: 'offline', peerId: this.peerId, reason: describeFatal(type, error.message) });
        this.peer = undefined;
        peer.destroy();
      }
      // network, server-error, socket-error, socket-closed: PeerJS follows with "disconnected"
      // or "close", which schedule the retry.
    });
  }

  private scheduleReconnect(lastError: string): void {
    if (this.current.kind === 'reconnecting' || this.current.kind === 'offline') return;
    // The server's own reason (limits, a full server) says more than "lost the connection".
    if (this.serverSaid) lastError = `The signaling server said: ${this.serverSaid}`;
    this.serverSaid = undefined;
    const delay = backoffDelay(this.attempt, this.runtime.randomBytes(1)[0]! / 256);
    this.attempt++;
    this.setState({
      kind: 'reconnecting',
      peerId: this.peerId,
      attempt: this.attempt,
      retryAt: this.runtime.now() + delay,
      lastError,
    });
    this.clearRetryTimer();
    this.clearAttemptTimer();
    this.retryTimer = this.runtime.setTimer(delay, () => this.reconnect());
  }

  private reconnect(): void {
    if (this.stopped) return;
    const peer = this.peer;
    if (peer && peer.disconnected && !peer.destroyed) {
      this.setState({ kind: 'connecting', peerId: this.peerId });
      this.boundAttempt();
      peer.reconnect();
    } else {
      peer?.destroy();
      this.createPeer();
    }
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) this.runtime.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
  }

  private setState(state: SignalingState): void {
    this.current = state;
    this.events.state(state);
  }
}

function describeFatal(type: string, message: string): string {
  switch (type) {
    case 'invalid-key':
      return 'The signaling server refused our API key. Check the server key in settings.';
    case 'ssl-unavailable':
      return 'The signaling server does not offer a secure connection.';
    case 'browser-incompatible':
      return 'This system lacks the WebRTC features Ferry needs.';
    default:
      return message;
  }
}
