import { FerryError } from '../errors.js';
import { DELIVERY_MODES, type DeliveryMode } from '../wire/control.js';
import type { FrameChannel } from './frame-channel.js';

/*
 * The transfer engine over standard WebRTC DataChannels, typed structurally so the core sees
 * neither the DOM nor Node: Chromium's RTCDataChannel and @roamhq/wrtc's both fit.
 */

type Listener = (event: { data?: unknown }) => void;

export interface RtcDataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  /** Ferry's frames go as ArrayBuffers; the pairing exchange sends JSON text (SPEC.md). */
  send(data: ArrayBuffer | string): void;
  close(): void;
  addEventListener(type: 'open' | 'message' | 'bufferedamountlow' | 'close' | 'error', listener: Listener): void;
  removeEventListener(type: 'open' | 'message' | 'bufferedamountlow' | 'close' | 'error', listener: Listener): void;
}

export interface RtcDataChannelInit {
  ordered?: boolean;
  maxRetransmits?: number;
  maxPacketLifeTime?: number;
  negotiated?: boolean;
  id?: number;
}

export interface RtcPeerConnectionLike {
  createDataChannel(label: string, init: RtcDataChannelInit): RtcDataChannelLike;
}

/**
 * Pre-negotiated stream ids and options of the data channel of each mode (SPEC.md, "Channels").
 * Both sides create them with the same ids; neither waits for the other to announce them.
 */
export const DATA_CHANNEL_SETUP: Record<DeliveryMode, { id: number; init: RtcDataChannelInit }> = {
  'reliable-ordered': { id: 10, init: { ordered: true } },
  'reliable-unordered': { id: 11, init: { ordered: false } },
  // A 64 KiB chunk travels as ~55 SCTP packets and is lost if any one is: with no
  // retransmission, 3 % packet loss loses 81 % of chunks. Three retransmissions bring that near
  // zero; the receiver's gap reports repair what is still lost.
  partial: { id: 12, init: { ordered: false, maxRetransmits: 3 } },
};

/** Messages kept for a channel that nobody listens to yet (a peer may speak first). */
const MAX_EARLY_MESSAGES = 256;

export class RtcFrameChannel implements FrameChannel {
  private readonly closeListeners = new Set<() => void>();
  private readonly messageListeners = new Set<(frame: Uint8Array) => void>();
  private early: Uint8Array[] | undefined = [];
  private closed = false;

  constructor(private readonly channel: RtcDataChannelLike) {
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('message', (event) => {
      const frame = toBytes(event.data);
      if (this.early) {
        if (this.early.length < MAX_EARLY_MESSAGES) this.early.push(frame);
        return;
      }
      for (const listener of this.messageListeners) listener(frame);
    });
    channel.addEventListener('close', () => this.markClosed());
  }

  get open(): boolean {
    return !this.closed && this.channel.readyState === 'open';
  }

  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  send(frame: Uint8Array): void {
    // A DataChannel sends whole ArrayBuffers: hand it one that is exactly the frame.
    const buffer =
      frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength
        ? (frame.buffer as ArrayBuffer)
        : (frame.slice().buffer as ArrayBuffer);
    this.channel.send(buffer);
  }

  setLowWaterMark(bytes: number): void {
    this.channel.bufferedAmountLowThreshold = bytes;
  }

  onBufferedAmountLow(listener: () => void): () => void {
    const wrapped: Listener = () => listener();
    this.channel.addEventListener('bufferedamountlow', wrapped);
    return () => this.channel.removeEventListener('bufferedamountlow', wrapped);
  }

  /** The first listener also receives, at once, what arrived before it. */
  onMessage(listener: (frame: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    const early = this.early;
    this.early = undefined;
    for (const frame of early ?? []) listener(frame);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the channel; our own listeners learn at once, whether or not the stack tells us. */
  close(): void {
    this.channel.close();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
  }
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Strings are not Ferry frames; an empty frame makes the decoder report it.
  return new Uint8Array(0);
}

/**
 * Creates the three pre-negotiated data channels and resolves once all are open. The caller
 * bounds the wait (the core has no clock of its own here).
 */
export function openDataChannels(connection: RtcPeerConnectionLike): Promise<Record<DeliveryMode, FrameChannel>> {
  const raw = {} as Record<DeliveryMode, RtcDataChannelLike>;
  for (const mode of DELIVERY_MODES) {
    const { id, init } = DATA_CHANNEL_SETUP[mode];
    raw[mode] = connection.createDataChannel(`ferry-${mode}`, { ...init, negotiated: true, id });
  }
  // Wrapped at once, not when all are open: a channel that opens first can carry frames before
  // the others open, and only the wrapper keeps them (a lost frame stalls a reliable transfer).
  const wrapped: Record<DeliveryMode, FrameChannel> = {
    'reliable-ordered': new RtcFrameChannel(raw['reliable-ordered']),
    'reliable-unordered': new RtcFrameChannel(raw['reliable-unordered']),
    partial: new RtcFrameChannel(raw.partial),
  };
  const wrap = () => wrapped;
  return new Promise((resolve, reject) => {
    let pending = 0;
    let settled = false;
    for (const mode of DELIVERY_MODES) {
      const channel = raw[mode];
      if (channel.readyState === 'open') continue;
      pending++;
      channel.addEventListener('open', () => {
        if (--pending === 0 && !settled) {
          settled = true;
          resolve(wrap());
        }
      });
      channel.addEventListener('error', () => {
        if (settled) return;
        settled = true;
        reject(new FerryError('CHANNEL_CLOSED', `The ${mode} data channel failed to open.`));
      });
    }
    if (pending === 0) {
      settled = true;
      resolve(wrap());
    }
  });
}
