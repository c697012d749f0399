import { type ChatEvent, ChatSession } from '../chat/chat-session.js';
import type { Runtime } from '../runtime.js';
import type { AuthMessage, DeliveryMode, DeviceKind } from '../wire/control.js';
import { FerryError } from '../errors.js';
import { DELIVERY_MODES } from '../wire/control.js';
import type { FrameChannel } from '../transfer/frame-channel.js';
import type { HasherFactory } from '../transfer/hasher.js';
import { TransferEndpoint, type TransferEndpointOptions } from '../transfer/endpoint.js';

export interface PeerChannels {
  /** Reliable, ordered: hello, texts, every transfer control message. */
  control: FrameChannel;
  /** One open data channel per delivery mode. */
  data: Record<DeliveryMode, FrameChannel>;
}

/** A stripe: the data channels of another connection to the same peer. */
export type DataChannels = Record<DeliveryMode, FrameChannel>;

export interface PeerSessionOptions {
  runtime: Runtime;
  deviceName: string;
  deviceKind?: DeviceKind | undefined;
  createHasher: HasherFactory;
  channels: PeerChannels;
  onChatEvent: (event: ChatEvent) => void;
  onIncoming: TransferEndpointOptions['onIncoming'];
  onRefused?: TransferEndpointOptions['onRefused'];
  onResumeRequest?: TransferEndpointOptions['onResumeRequest'];
  /**
   * Session authentication messages (SPEC.md). When given, transfers are refused until
   * authenticated() is called: an offer before that ends the session.
   */
  onAuthMessage?: (message: AuthMessage) => void;
  transferTuning?: Pick<TransferEndpointOptions, 'highWaterMark' | 'lowWaterMark' | 'windowChunks' | 'repairAfterMs' | 'maxMessageSize'>;
}

/**
 * Everything Ferry does with one connected peer, over any set of channels: the control
 * conversation (hello, texts) and the transfers, wired together. Platform adapters only have to
 * provide FrameChannels.
 */
export class PeerSession {
  readonly chat: ChatSession;
  readonly transfers: TransferEndpoint;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly stripes: DataChannels[] = [];
  private authenticatedValue: boolean;
  /** This side refused the peer's proof (auth-fail sent): what crosses it is ignored, not answered. */
  private authRefused = false;

  constructor(options: PeerSessionOptions) {
    this.authenticatedValue = options.onAuthMessage === undefined;
    const { control, data } = options.channels;
    this.chat = new ChatSession({
      runtime: options.runtime,
      deviceName: options.deviceName,
      deviceKind: options.deviceKind,
      send: (frame) => {
        if (control.open) control.send(frame);
      },
      onEvent: (event) => {
        if (event.type === 'closed') this.transfers.closed(event.error);
        options.onChatEvent(event);
      },
      onTransferMessage: (message) => {
        if (this.authenticatedValue) this.transfers.handleControl(message);
        else if (this.authRefused) return;
        else this.chat.abort(new FerryError('AUTH_FAILED', 'The other device sent a transfer message before proving who it is.'));
      },
      ...(options.onAuthMessage ? { onAuthMessage: options.onAuthMessage } : {}),
    });
    this.transfers = new TransferEndpoint({
      runtime: options.runtime,
      createHasher: options.createHasher,
      sendControl: (message) => this.chat.sendTransferMessage(message),
      dataChannels: (mode) => [data[mode], ...this.stripes.map((stripe) => stripe[mode])],
      onIncoming: options.onIncoming,
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
      ...(options.onResumeRequest ? { onResumeRequest: options.onResumeRequest } : {}),
      ...options.transferTuning,
    });
    this.unsubscribe.push(control.onMessage((frame) => this.chat.receive(frame)));
    this.unsubscribe.push(control.onClose(() => this.chat.channelClosed()));
    for (const mode of DELIVERY_MODES) {
      this.unsubscribe.push(data[mode].onMessage((frame) => this.handleData(frame)));
    }
  }

  /**
   * Adds another connection's data channels: transfers spread their chunks over all of them
   * (SPEC.md, "Striping"). Frames arriving on them are handled like any other.
   */
  addStripe(stripe: DataChannels): void {
    this.stripes.push(stripe);
    for (const mode of DELIVERY_MODES) {
      const channel = stripe[mode];
      this.unsubscribe.push(channel.onMessage((frame) => this.handleData(frame)));
      this.unsubscribe.push(
        channel.onClose(() => {
          const index = this.stripes.indexOf(stripe);
          if (index !== -1) this.stripes.splice(index, 1);
          this.transfers.dataChannelClosed(channel);
        }),
      );
    }
  }

  private handleData(frame: Uint8Array): void {
    // A peer busy sending data is alive even when its pings queue behind the data.
    this.chat.heard();
    this.transfers.handleData(frame);
  }

  /** How many connections carry data: 1 + stripes. */
  get connections(): number {
    return 1 + this.stripes.length;
  }

  /** The peer proved who it is: transfers may flow. */
  authenticated(): void {
    this.authenticatedValue = true;
  }

  /**
   * This side ended authentication with auth-fail: the session closes once that has gone out. An
   * offer the peer sent before it heard (there is no acknowledgement) is ignored, so the peer
   * gets one closing message, not two (SPEC.md, "Session authentication messages").
   */
  refusedAuthentication(): void {
    this.authRefused = true;
  }

  sendAuth(message: AuthMessage): void {
    this.chat.sendTransferMessage(message);
  }

  start(): void {
    this.chat.start();
  }

  /** Ends the session locally: the chat closes and, with it, every transfer fails cleanly. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.chat.channelClosed();
  }
}
