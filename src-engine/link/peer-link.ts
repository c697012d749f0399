import {
  type ChatEvent,
  type DeviceKind,
  type HasherFactory,
  type FerryErrorCode,
  encodeBase64,
  maxMessageSizeFromSdp,
  openDataChannels,
  PeerSession,
  RtcFrameChannel,
  type Runtime,
  type TimerHandle,
  type TransferEndpointOptions,
  type AuthMessage,
  SessionAuthenticator,
} from '../../src-core/index.js';
import { whenBound } from './channel-binding-when-ready.js';
import type { DataConnectionPort } from '../ports/signaling.js';
import { type ConnectionPath, connectionPath } from './connection-path.js';
import { openStripeChannels, STRIPE_COUNT, type StripeMetadata } from './stripes.js';

/** A stripe lost this soon after its dial died on its way (not a slow network): dial it again. */
const STRIPE_QUICK_LOSS_MS = 5000;
const STRIPE_REDIALS = 2;
const STRIPE_REDIAL_MS = 500;

export type LinkState = 'connecting' | 'open' | 'closed' | 'failed';

/** What a link is made of right now: for diagnostics and tests, read on request (never pushed). */
export interface LinkDiagnostics {
  /** PeerJS's id of the link's own connection: the same on both sides of one link. */
  connectionId: string;
  /** This side dialed the link (and so opened its stripes). */
  dialed: boolean;
  /** Connections carrying data now: the link's own and its open stripes. */
  connections: number;
  /** Data frames received on each connection: the link's own first, then each stripe as it joined. */
  dataFramesIn: number[];
}

export interface PeerLinkEvents {
  /** `code`: the FerryError code of a failure, when there is one (e.g. AUTH_UNPAIRED). */
  state(state: LinkState, detail: { peerName?: string; error?: string; code?: string }): void;
  /** Direct or relayed, once the connection has chosen its path. */
  path(path: ConnectionPath): void;
  chat(event: ChatEvent): void;
}

export interface PeerLinkOptions {
  runtime: Runtime;
  deviceName: string;
  deviceKind?: DeviceKind | undefined;
  createHasher: HasherFactory;
  onIncoming: TransferEndpointOptions['onIncoming'];
  onRefused?: TransferEndpointOptions['onRefused'];
  onResumeRequest?: TransferEndpointOptions['onResumeRequest'];
  /** Present when we dialed: opens another connection to the same device, for striping. */
  dialStripe?: (metadata: StripeMetadata) => DataConnectionPort;
  /** Stripes to open once the link is up (default STRIPE_COUNT). */
  stripes?: number;
  /** Session authentication: this device's key, main's signature, and paired keys by peer id. */
  auth?: {
    publicKey: Uint8Array;
    sign: (transcript: Uint8Array, role: 'initiator' | 'responder') => Promise<Uint8Array>;
    pairedKey: (peerId: string) => Uint8Array | undefined;
  };
}

/** How long a connection may take to open before we give up on it. */
const OPEN_TIMEOUT_MS = 20_000;

/**
 * One connected device: PeerJS introduces the two sides and opens the control DataChannel
 * (`serialization: 'raw'`); Ferry then uses that RTCDataChannel directly (never PeerJS's send
 * queue), opens its pre-negotiated data channels on the same RTCPeerConnection, and runs the
 * core's PeerSession over them. This class only wires; the core decides.
 */
export class PeerLink {
  private session: PeerSession | undefined;
  private openTimer: TimerHandle | undefined;
  private finished = false;
  private readonly stripeConnections: DataConnectionPort[] = [];
  private authenticator: SessionAuthenticator | undefined;
  /** What the other device said it runs Ferry as, in its hello (undefined: it did not say). */
  peerKind: DeviceKind | undefined;
  /** Auth messages that came before our authenticator (the peer opened first): a few, kept. */
  private readonly earlyAuth: AuthMessage[] = [];
  /** Why authentication failed, once it has: it outranks however the connection then closes. */
  private authError: { message: string; code: string } | undefined;
  /** The other device's identity key (base64), once its session authentication verified. */
  private peerKeyValue: string | undefined;
  /** Data frames received per connection (the link's own, then stripes): see diagnostics(). */
  private readonly framesIn: number[] = [];

  constructor(
    readonly peerId: string,
    private readonly connection: DataConnectionPort,
    private readonly options: PeerLinkOptions,
    private readonly events: PeerLinkEvents,
  ) {
    this.openTimer = options.runtime.setTimer(OPEN_TIMEOUT_MS, () =>
      this.fail('The device did not answer. Check that it is online and the id is right.'),
    );
    connection.on('open', () => void this.attach());
    connection.on('close', () => this.closed());
    // Authentication's own reason, once known, says more than how the connection then ended.
    connection.on('error', (error) => this.fail(this.authError?.message ?? `The connection failed: ${error.message}`, this.authError?.code));
    if (connection.open) void this.attach();
  }

  get transfers(): PeerSession['transfers'] | undefined {
    return this.session?.transfers;
  }

  /** We opened this link (we dial its stripes); the other side opened it otherwise. */
  get dialed(): boolean {
    return this.options.dialStripe !== undefined;
  }

  /** The other device's identity key (base64), proven on this link; undefined before (or without) authentication. */
  get peerKey(): string | undefined {
    return this.peerKeyValue;
  }

  /** PeerJS's id for this link's own connection: stripes name it. */
  get connectionId(): string {
    return this.connection.connectionId;
  }

  /** The other device opened a stripe of this link. */
  acceptStripe(connection: DataConnectionPort): void {
    if (this.finished || this.stripeConnections.length >= STRIPE_COUNT) {
      connection.close();
      return;
    }
    this.addStripe(connection);
  }

  /** What this link is made of now (read-only; nothing is kept for it but a counter per connection). */
  diagnostics(): LinkDiagnostics {
    return {
      connectionId: this.connection.connectionId,
      dialed: this.dialed,
      connections: this.session?.connections ?? 0,
      dataFramesIn: [...this.framesIn],
    };
  }

  sendText(body: string) {
    if (!this.session) throw new Error('The connection to this device is not open yet.');
    return this.session.chat.sendText(body);
  }

  close(): void {
    this.closeStripes();
    this.connection.close();
    this.closed();
  }

  private addStripe(connection: DataConnectionPort, redials = 0): void {
    this.stripeConnections.push(connection);
    const startedAt = this.options.runtime.now();
    openStripeChannels(connection, this.options.runtime).then(
      (channels) => {
        if (this.finished || !this.session) connection.close();
        else {
          this.session.addStripe(channels);
          this.countFrames(channels);
        }
      },
      // A stripe that cannot open costs speed, not the link. One that died on its way at once
      // (libdatachannel#1612 closes about one connection in 30 before it opens) is dialed again.
      () => {
        connection.close();
        const at = this.stripeConnections.indexOf(connection);
        if (at >= 0) this.stripeConnections.splice(at, 1);
        const quick = this.options.runtime.now() - startedAt < STRIPE_QUICK_LOSS_MS;
        if (this.options.dialStripe && quick && redials < STRIPE_REDIALS) this.options.runtime.setTimer(STRIPE_REDIAL_MS, () => this.dialStripe(redials + 1));
      },
    );
  }

  private openStripes(): void {
    for (let i = this.stripeConnections.length; i < (this.options.stripes ?? STRIPE_COUNT); i++) this.dialStripe(0);
  }

  private dialStripe(redials: number): void {
    const dial = this.options.dialStripe;
    if (!dial || this.finished || !this.session || this.stripeConnections.length >= (this.options.stripes ?? STRIPE_COUNT)) return;
    let connection: DataConnectionPort;
    try {
      connection = dial({ ferryStripeOf: this.connection.connectionId });
    } catch {
      // No signaling now (a redial from a timer): a stripe costs speed, not the link.
      return;
    }
    this.addStripe(connection, redials);
  }

  private closeStripes(): void {
    for (const connection of this.stripeConnections.splice(0)) connection.close();
  }

  /** The signaling server says there is no such device. */
  unavailable(): void {
    this.fail('No device with this id is connected to the signaling server.', 'PEER_UNAVAILABLE' satisfies FerryErrorCode);
  }

  private async attach(): Promise<void> {
    if (this.session || this.finished) return;
    // The control channel is used directly from its first message on (the channel buffers what
    // arrives before the session listens).
    const control = new RtcFrameChannel(this.connection.dataChannel);
    let data;
    try {
      data = await openDataChannels(this.connection.peerConnection);
    } catch (error) {
      this.fail(`Could not open the data channels: ${(error as Error).message}`);
      return;
    }
    if (this.finished) return;
    this.session = new PeerSession({
      runtime: this.options.runtime,
      deviceName: this.options.deviceName,
      deviceKind: this.options.deviceKind,
      createHasher: this.options.createHasher,
      channels: { control, data },
      onChatEvent: (event) => this.onChatEvent(event),
      onIncoming: this.options.onIncoming,
      ...(this.options.onRefused ? { onRefused: this.options.onRefused } : {}),
      ...(this.options.onResumeRequest ? { onResumeRequest: this.options.onResumeRequest } : {}),
      transferTuning: { maxMessageSize: maxMessageSizeFromSdp(this.connection.peerConnection.remoteDescription?.sdp) },
      ...(this.options.auth ? { onAuthMessage: (message: AuthMessage) => this.authMessage(message) } : {}),
    });
    this.countFrames(data);
    this.session.start();
  }

  /**
   * Counts the data frames each connection delivers. Subscribed after the session's own
   * listener: a channel hands what arrived before anyone listened to its first listener only.
   */
  private countFrames(channels: Awaited<ReturnType<typeof openDataChannels>>): void {
    const index = this.framesIn.push(0) - 1;
    for (const channel of Object.values(channels)) channel.onMessage(() => (this.framesIn[index] = (this.framesIn[index] ?? 0) + 1));
  }

  private authMessage(message: AuthMessage): void {
    // Authenticated once, for this session: an introduction after that is no honest device's.
    if (this.peerKeyValue !== undefined) return this.fail(`The other device tried to authenticate again (${message.type}) after the session was authenticated.`, 'AUTH_FAILED');
    if (this.authenticator) this.authenticator.receive(message);
    else if (this.earlyAuth.length < 4) this.earlyAuth.push(message);
  }

  /** After hello: both sides prove their identity keys on this DTLS session before anything else. */
  private authenticate(peerName: string): void {
    const auth = this.options.auth;
    if (!auth) return this.opened(peerName);
    const session = this.session;
    // The hello can arrive while the session is still being built (buffered early frames):
    // start once it exists.
    if (!session) {
      queueMicrotask(() => this.authenticate(peerName));
      return;
    }
    whenBound(
      this.connection.peerConnection,
      this.options.runtime,
      (binding) => {
        if (!this.finished) this.startAuthenticator(auth, session, binding, peerName);
      },
      (error) => this.fail(error.message),
    );
  }

  private startAuthenticator(auth: NonNullable<PeerLinkOptions['auth']>, session: NonNullable<PeerLink['session']>, binding: string, peerName: string): void {
    this.authenticator = new SessionAuthenticator({
      runtime: this.options.runtime,
      role: this.options.dialStripe ? 'initiator' : 'responder',
      binding,
      ownPublicKey: auth.publicKey,
      remotePeerId: this.peerId,
      pairedKey: auth.pairedKey(this.peerId),
      sign: auth.sign,
      send: (message) => session.sendAuth(message),
      done: (outcome) => {
        if (!outcome.ok) {
          // Let the auth-fail that says why reach the other side before the connection goes; if
          // the other side closes first, the reason is still ours to show.
          this.authError = outcome.error;
          session.refusedAuthentication();
          this.options.runtime.setTimer(300, () => this.fail(outcome.error.message, outcome.error.code));
          return;
        }
        this.peerKeyValue = encodeBase64(outcome.publicKey);
        session.authenticated();
        this.opened(peerName);
      },
    });
    this.authenticator.start();
    for (const message of this.earlyAuth.splice(0)) this.authenticator.receive(message);
  }

  private opened(peerName: string): void {
    this.clearOpenTimer();
    this.events.state('open', { peerName });
    this.openStripes();
    connectionPath(this.connection.peerConnection).then(
      (path) => path && !this.finished && this.events.path(path),
      () => {},
    );
  }

  private onChatEvent(event: ChatEvent): void {
    switch (event.type) {
      case 'opened':
        this.peerKind = event.peerDeviceKind;
        this.authenticate(event.peerDeviceName);
        break;
      case 'closed':
        this.clearOpenTimer();
        this.authenticator?.stop();
        this.closeStripes();
        if (!this.finished) {
          this.finished = true;
          const error = this.authError ?? event.error;
          if (error) this.events.state('failed', { error: error.message, code: error.code });
          else this.events.state('closed', {});
        }
        this.connection.close();
        break;
      case 'text-received':
      case 'text-delivered':
      case 'text-failed':
        break;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
    this.events.chat(event);
  }

  private closed(): void {
    if (this.session) this.session.close();
    else this.fail(this.authError?.message ?? 'The connection closed.', this.authError?.code);
  }

  private clearOpenTimer(): void {
    if (this.openTimer !== undefined) this.options.runtime.clearTimer(this.openTimer);
    this.openTimer = undefined;
  }

  private fail(message: string, code?: string): void {
    this.clearOpenTimer();
    if (this.finished) return;
    this.finished = true;
    this.authenticator?.stop();
    this.events.state('failed', { error: message, ...(code ? { code } : {}) });
    this.session?.close();
    this.closeStripes();
    this.connection.close();
  }
}
