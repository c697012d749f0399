import { FerryError, type FerryErrorCode } from '../errors.js';
import type { Runtime, TimerHandle } from '../runtime.js';
import {
  type ControlMessage,
  type DeviceKind,
  isDeviceKind,
  decodeControl,
  encodeControl,
  type AuthMessage,
  isAuthMessage,
  isTransferMessage,
  type TransferMessage,
  MAX_TEXT_LENGTH,
  negotiateVersion,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '../wire/control.js';
import { decodeFrame } from '../wire/frame.js';
import { randomId } from '../random-id.js';

export type ChatSessionState = 'idle' | 'awaiting-hello' | 'open' | 'closed';

export type ChatEvent =
  | { type: 'opened'; peerDeviceName: string; peerDeviceKind: DeviceKind | undefined; protocolVersion: number }
  | { type: 'text-received'; id: string; body: string; sentAt: number; receivedAt: number }
  | { type: 'text-delivered'; id: string }
  | { type: 'text-failed'; id: string; reason: FerryErrorCode }
  | { type: 'closed'; error?: FerryError };

export interface ChatSessionOptions {
  runtime: Runtime;
  deviceName: string;
  deviceKind?: DeviceKind | undefined;
  /** Hands a frame to the channel. The session never touches a channel itself. */
  send: (frame: Uint8Array) => void;
  onEvent: (event: ChatEvent) => void;
  /** Transfer messages, once the session is open; without a handler they are a protocol error. */
  onTransferMessage?: (message: TransferMessage) => void;
  /** Session-authentication messages, once the session is open; likewise. */
  onAuthMessage?: (message: AuthMessage) => void;
}

/** A hello is repeated until the peer's arrives: a channel's first messages can be lost. */
const HELLO_RETRY_MS = 400;
const HELLO_ATTEMPTS = 50;
/** Once open, each side says it is alive this often (independent of ICE's own timers). */
export const HEARTBEAT_INTERVAL_MS = 1_500;
/** A side that has heard nothing for this long is gone: the session closes (SPEC.md, "Liveness"). */
export const LIVENESS_TIMEOUT_MS = 6_000;

export interface OutgoingText {
  id: string;
  body: string;
  sentAt: number;
}

/**
 * The control conversation over one reliable, ordered channel: hello and version negotiation,
 * then text messages with delivery acknowledgements. Sans-IO: frames in, frames and events out.
 * A protocol violation by the peer closes the session with an error frame and an error event.
 */
export class ChatSession {
  private stateValue: ChatSessionState = 'idle';
  private readonly pending = new Set<string>();
  private peerHello: { versions: string; deviceName: string; deviceKind: string } | undefined;
  private helloTimer: TimerHandle | undefined;
  private helloAttempts = 0;
  private heartbeatTimer: TimerHandle | undefined;
  private lastHeard = 0;

  constructor(private readonly options: ChatSessionOptions) {}

  get state(): ChatSessionState {
    return this.stateValue;
  }

  /** Call once the channel is open: sends our hello. */
  start(): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'awaiting-hello';
    this.sendHello();
  }

  private sendHello(): void {
    this.emitFrame({
      type: 'hello',
      protocol: 'ferry',
      versions: [...SUPPORTED_PROTOCOL_VERSIONS],
      deviceName: this.options.deviceName,
      ...(this.options.deviceKind ? { deviceKind: this.options.deviceKind } : {}),
      seen: this.peerHello !== undefined,
    });
    if (this.peerHello !== undefined) return;
    // Until the peer's hello arrives, ours may have been lost: say it again.
    this.clearHelloTimer();
    this.helloTimer = this.options.runtime.setTimer(HELLO_RETRY_MS, () => {
      this.helloTimer = undefined;
      if (this.stateValue !== 'awaiting-hello') return;
      if (++this.helloAttempts >= HELLO_ATTEMPTS) {
        this.close(new FerryError('CHANNEL_CLOSED', 'The other device did not answer.'));
        return;
      }
      this.sendHello();
    });
  }

  /**
   * Pings on a fixed beat and checks the peer's: a peer whose process died or whose network
   * vanished sends nothing, and the channel itself may not close for much longer (ICE's consent
   * checks take 30 s; a killed peer never says goodbye).
   */
  private startHeartbeat(): void {
    this.heard();
    const beat = () => {
      this.heartbeatTimer = undefined;
      if (this.stateValue !== 'open') return;
      if (this.options.runtime.now() - this.lastHeard >= LIVENESS_TIMEOUT_MS) {
        this.close(new FerryError('CHANNEL_CLOSED', `The other device stopped answering (nothing for ${LIVENESS_TIMEOUT_MS / 1000} s).`));
        return;
      }
      this.emitFrame({ type: 'ping' });
      this.heartbeatTimer = this.options.runtime.setTimer(HEARTBEAT_INTERVAL_MS, beat);
    };
    beat();
  }

  private clearHelloTimer(): void {
    if (this.helloTimer !== undefined) this.options.runtime.clearTimer(this.helloTimer);
    this.helloTimer = undefined;
  }

  sendText(body: string): OutgoingText {
    if (this.stateValue !== 'open') {
      throw new FerryError('CHANNEL_CLOSED', 'The connection to this device is not open.');
    }
    if (body.length === 0) throw new FerryError('TEXT_EMPTY', 'The message is empty.');
    if (body.length > MAX_TEXT_LENGTH) {
      throw new FerryError(
        'TEXT_TOO_LONG',
        `Messages are limited to ${MAX_TEXT_LENGTH} characters; this one has ${body.length}.`,
      );
    }
    const text: OutgoingText = {
      id: randomId(this.options.runtime),
      body,
      sentAt: Math.floor(this.options.runtime.now()),
    };
    this.pending.add(text.id);
    this.emitFrame({ type: 'text', ...text });
    return text;
  }

  /** Anything from the peer (a data frame too) shows it is alive. */
  heard(): void {
    this.lastHeard = this.options.runtime.now();
  }

  /** Feeds one frame received from the channel. */
  receive(frame: Uint8Array): void {
    if (this.stateValue === 'closed') return;
    this.heard();
    let message: ControlMessage;
    try {
      const decoded = decodeFrame(frame);
      if (decoded.kind !== 'control') {
        throw new FerryError('FRAME_UNKNOWN_KIND', 'Got a data frame on the control channel.');
      }
      message = decodeControl(decoded.payload);
    } catch (error) {
      this.fail(asFerryError(error));
      return;
    }
    this.handle(message);
  }

  /** Sends a transfer or authentication message; only once the session is open. */
  sendTransferMessage(message: TransferMessage | AuthMessage): void {
    if (this.stateValue !== 'open') {
      throw new FerryError('CHANNEL_CLOSED', 'The connection to this device is not open.');
    }
    this.emitFrame(message);
  }

  /** Ends the session because of a local decision (e.g. a transfer found the peer hostile). */
  abort(error: FerryError): void {
    if (this.stateValue !== 'closed') this.fail(error);
  }

  /** The channel closed underneath us. */
  channelClosed(): void {
    this.close(undefined);
  }

  private handle(message: ControlMessage): void {
    if (this.stateValue !== 'open' && message.type !== 'hello' && message.type !== 'error') {
      this.fail(new FerryError('PROTOCOL_HELLO_EXPECTED', `Got "${message.type}" before hello.`));
      return;
    }
    if (isAuthMessage(message)) {
      if (!this.options.onAuthMessage) {
        this.fail(new FerryError('CONTROL_INVALID_MESSAGE', `This device does not take "${message.type}" messages.`));
        return;
      }
      this.options.onAuthMessage(message);
      return;
    }
    if (isTransferMessage(message)) {
      if (!this.options.onTransferMessage) {
        this.fail(new FerryError('CONTROL_INVALID_MESSAGE', `This device does not take "${message.type}" messages.`));
        return;
      }
      this.options.onTransferMessage(message);
      return;
    }
    switch (message.type) {
      case 'hello': {
        const identity = { versions: message.versions.join(','), deviceName: message.deviceName, deviceKind: message.deviceKind ?? '' };
        if (this.peerHello !== undefined) {
          // A repeat of the same hello: the peer has not seen ours yet unless it says so.
          if (identity.versions !== this.peerHello.versions || identity.deviceName !== this.peerHello.deviceName || identity.deviceKind !== this.peerHello.deviceKind) {
            this.fail(new FerryError('CONTROL_INVALID_MESSAGE', 'Got a second, different hello.'));
            return;
          }
          if (!message.seen) this.sendHello();
          return;
        }
        const version = negotiateVersion(message.versions);
        if (version === undefined) {
          this.fail(
            new FerryError(
              'PROTOCOL_VERSION_UNSUPPORTED',
              `The other device speaks protocol ${message.versions.join(', ')}; this one speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}. Update Ferry on the older device.`,
            ),
          );
          return;
        }
        this.peerHello = identity;
        this.clearHelloTimer();
        // A peer's hello can arrive before our start() when its channel opened first; and one that
        // has not seen ours needs ours (again).
        if (this.stateValue === 'idle' || !message.seen) {
          this.stateValue = 'awaiting-hello';
          this.sendHello();
        }
        this.stateValue = 'open';
        this.startHeartbeat();
        this.options.onEvent({
          type: 'opened',
          peerDeviceName: message.deviceName,
          peerDeviceKind: isDeviceKind(message.deviceKind) ? message.deviceKind : undefined,
          protocolVersion: version,
        });
        return;
      }
      case 'text':
        this.emitFrame({ type: 'text-ack', id: message.id });
        this.options.onEvent({
          type: 'text-received',
          id: message.id,
          body: message.body,
          sentAt: message.sentAt,
          receivedAt: Math.floor(this.options.runtime.now()),
        });
        return;
      case 'ping':
        return;
      case 'text-ack':
        // An ack for something we never sent (or already acked) is harmless; ignore it.
        if (this.pending.delete(message.id)) {
          this.options.onEvent({ type: 'text-delivered', id: message.id });
        }
        return;
      case 'error':
        this.close(
          new FerryError(
            'CHANNEL_CLOSED',
            `The other device ended the session: ${message.message} (${message.code})`,
          ),
        );
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private fail(error: FerryError): void {
    this.emitFrame({ type: 'error', code: error.code, message: error.message.slice(0, 1000) });
    this.close(error);
  }

  private close(error: FerryError | undefined): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.clearHelloTimer();
    if (this.heartbeatTimer !== undefined) this.options.runtime.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const id of this.pending) {
      this.options.onEvent({ type: 'text-failed', id, reason: 'CHANNEL_CLOSED' });
    }
    this.pending.clear();
    this.options.onEvent(error ? { type: 'closed', error } : { type: 'closed' });
  }

  private emitFrame(message: ControlMessage): void {
    this.options.send(encodeControl(message));
  }
}

function asFerryError(error: unknown): FerryError {
  return error instanceof FerryError
    ? error
    : new FerryError('CONTROL_INVALID_MESSAGE', 'Unreadable frame.', { cause: error });
}
