import type { Runtime } from '../runtime.js';
import type { FrameChannel } from '../transfer/frame-channel.js';

export interface ChannelFaults {
  /** Probability a message is lost (only for channels that may lose: partial reliability). */
  drop?: number;
  /** Probability a message is delivered twice. */
  duplicate?: number;
  /** Probability a message is held back and delivered after later ones. */
  reorder?: number;
  /** Base one-way delay in ms. */
  delayMs?: number;
}

export interface MemoryChannelOptions {
  runtime: Runtime;
  faults?: ChannelFaults;
  /** Bytes the "network" drains per millisecond; the buffer fills when the sender outpaces it. */
  bytesPerMs?: number;
  /** Deterministic randomness for faults, in [0, 1). */
  random?: () => number;
}

/**
 * Two connected in-memory channels with a drain rate (so bufferedAmount and backpressure behave
 * like a real DataChannel) and injected faults. Messages are copied on send, as a real channel
 * would: the receiver never sees the sender's buffer.
 */
export function createMemoryChannelPair(options: MemoryChannelOptions): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel(options);
  const b = new MemoryChannel(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class MemoryChannel implements FrameChannel {
  peer: MemoryChannel | undefined;
  private buffered = 0;
  private lowWater = 0;
  private isOpen = true;
  private draining = false;
  private readonly queue: Uint8Array[] = [];
  private readonly messageListeners = new Set<(frame: Uint8Array) => void>();
  private readonly lowListeners = new Set<() => void>();
  private readonly closeListeners = new Set<() => void>();
  /** Messages delivered, dropped, duplicated and reordered: for tests to check faults happened. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, reordered: 0 };

  constructor(private readonly options: MemoryChannelOptions) {}

  get bufferedAmount(): number {
    return this.buffered;
  }

  get open(): boolean {
    return this.isOpen;
  }

  send(frame: Uint8Array): void {
    if (!this.isOpen) throw new Error('channel closed');
    this.stats.sent++;
    this.queue.push(frame.slice());
    this.buffered += frame.length;
    if (!this.draining) this.drain();
  }

  setLowWaterMark(bytes: number): void {
    this.lowWater = bytes;
  }

  onBufferedAmountLow(listener: () => void): () => void {
    this.lowListeners.add(listener);
    return () => this.lowListeners.delete(listener);
  }

  onMessage(listener: (frame: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    if (!this.isOpen) return;
    this.closeLocal();
    const peer = this.peer;
    if (peer) this.options.runtime.setTimer(0, () => peer.closeLocal());
  }

  private closeLocal(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.queue.length = 0;
    for (const listener of this.closeListeners) listener();
  }

  /** Moves queued messages onto the "wire" at the configured rate. */
  private drain(): void {
    const frame = this.queue.shift();
    if (!frame || !this.isOpen) {
      this.draining = false;
      return;
    }
    this.draining = true;
    const cost = this.options.bytesPerMs ? Math.ceil(frame.length / this.options.bytesPerMs) : 0;
    this.options.runtime.setTimer(cost, () => {
      const before = this.buffered;
      this.buffered -= frame.length;
      this.transmit(frame);
      if (before > this.lowWater && this.buffered <= this.lowWater) {
        for (const listener of this.lowListeners) listener();
      }
      this.drain();
    });
  }

  private transmit(frame: Uint8Array): void {
    const faults = this.options.faults ?? {};
    const random = this.options.random ?? Math.random;
    if (faults.drop && random() < faults.drop) {
      this.stats.dropped++;
      return;
    }
    let delay = faults.delayMs ?? 0;
    if (faults.reorder && random() < faults.reorder) {
      this.stats.reordered++;
      delay += 5 + Math.floor(random() * 20);
    }
    this.deliverLater(frame, delay);
    if (faults.duplicate && random() < faults.duplicate) {
      this.stats.duplicated++;
      this.deliverLater(frame.slice(), delay + 1);
    }
  }

  private deliverLater(frame: Uint8Array, delay: number): void {
    const peer = this.peer;
    if (!peer) return;
    this.options.runtime.setTimer(delay, () => {
      if (!peer.isOpen) return;
      this.stats.delivered++;
      for (const listener of peer.messageListeners) listener(frame);
    });
  }
}
