import { FerryError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { DeliveryMode, DigestAlgorithm, ManifestEntry, TransferMessage } from '../wire/control.js';
import { decodeDataFrame } from '../wire/data-frame.js';
import type { FrameChannel } from './frame-channel.js';
import type { HasherFactory } from './hasher.js';
import { chunkSizeFor, DEFAULT_MAX_MESSAGE_SIZE } from './message-size.js';
import { type IncomingOffer, type ReceiverEvent, type ReceiverResume, TransferReceiver } from './receiver.js';
import { type SenderEvent, TransferSender } from './sender.js';
import { WriteWatchdog } from './write-watchdog.js';

/** Where an outgoing transfer's bytes come from (File slices in the renderer, file handles in Node). */
export interface FileSource {
  /** Fills `into` with the bytes of entry `fileIndex` starting at `offset`. */
  read(fileIndex: number, offset: number, into: Uint8Array): Promise<void>;
}

/** Where an incoming transfer's bytes go. Files live under temporary names until finalize(). */
export interface FileSink {
  write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void>;
  /** Makes the file visible under its final name (only called once its digest matched). */
  finalize(fileIndex: number): Promise<void>;
  /** Removes every temporary file of the transfer. */
  abort(): Promise<void>;
  /**
   * A block is verified (its chunks were all written): a sink that keeps a journal for resume
   * may record it — once it is durable, never before.
   */
  blockVerified?(fileIndex: number, block: number, digest: string): Promise<void>;
  /** The connection went mid-transfer: keep what is verified for a resume (without it: abort). */
  suspend?(): Promise<void>;
}

export interface IncomingDecision {
  /** With `resume`: what this side already holds of a resumed transfer (SPEC.md, "Resume"). */
  accept(sink: FileSink, resume?: ReceiverResume): void;
  decline(code?: string, message?: string): void;
}

export interface OutgoingTransferOptions {
  entries: readonly ManifestEntry[];
  source: FileSource;
  mode?: DeliveryMode;
  chunkSize?: number;
  digest?: DigestAlgorithm;
  /** Chunks per integrity block (default: 4 MiB worth). */
  blockChunks?: number;
  /** Makes the transfer resumable under this name (SPEC.md, "Resume"). */
  resumeKey?: string;
  /** Offers again an interrupted transfer of this resumeKey: the receiver may say what it holds. */
  resume?: boolean;
}

export interface TransferHandle<E> {
  readonly transferId: number;
  /** Resolves when every file is verified on the receiver's disk; rejects with a FerryError. */
  readonly done: Promise<void>;
  onEvent(listener: (event: E) => void): () => void;
  cancel(): void;
  /** Pauses a running resumable transfer (both sides keep what they have; `done` rejects with TRANSFER_PAUSED). */
  pause(): void;
}

export interface TransferEndpointOptions {
  runtime: Runtime;
  createHasher: HasherFactory;
  /** Sends a transfer message on the control channel. */
  sendControl: (message: TransferMessage) => void;
  /**
   * The data channels for a delivery mode: the connection's own, then one per stripe (another
   * RTCPeerConnection to the same peer, so another SCTP congestion window). Asked again on every
   * pump, so stripes that open later are used too.
   */
  dataChannels: (mode: DeliveryMode) => readonly FrameChannel[];
  /** The peer's person resumes a paused transfer this side was sending: offer it again. */
  onResumeRequest?: (resumeKey: string) => void;
  /** A peer offers files: decide, now or later. */
  onIncoming: (offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>) => void;
  /** An offer declined before anyone was asked (a bad name, a count or sizes that do not add up), with why. */
  onRefused?: (transferId: number, error: FerryError) => void;
  /** Sender stops writing at this many buffered bytes and resumes at the low-water mark. */
  highWaterMark?: number;
  lowWaterMark?: number;
  windowChunks?: number;
  repairAfterMs?: number;
  maxIncoming?: number;
  /** The peer's SCTP max-message-size (from its SDP): chunks shrink so frames fit. */
  maxMessageSize?: number;
  /** A write the disk has not finished in this long fails the transfer (a hung disk never stalls it silently). */
  writeDeadlineMs?: number;
}

/** How long one chunk's write may take before the receiving disk counts as stopped. */
export const DEFAULT_WRITE_DEADLINE_MS = 30_000;

/** How a resumable transfer's handle ends when its connection goes: interrupted, the cause kept. */
function interrupted(cause: FerryError): FerryError {
  return new FerryError('TRANSFER_INTERRUPTED', cause.message, { cause });
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;
export const DEFAULT_MODE: DeliveryMode = 'reliable-ordered';
export const DEFAULT_DIGEST: DigestAlgorithm = 'xxh128';

interface Outgoing {
  sender: TransferSender;
  source: FileSource;
  mode: DeliveryMode;
  /** Channels this transfer has sent on, with their bufferedamountlow subscriptions. */
  channels: Map<FrameChannel, () => void>;
  pumping: boolean;
  repump: boolean;
}

/**
 * All transfers with one peer: routes control messages and data frames to per-transfer state
 * machines, and drives them: reads sources while the channel's buffer is under the high-water
 * mark (resuming on bufferedamountlow, never polling) and credit allows; writes sinks and feeds
 * their acknowledgements back so that credit follows the disk.
 */
export class TransferEndpoint {
  private nextTransferId = 1;
  private readonly outgoing = new Map<number, Outgoing>();
  private readonly incoming = new Map<number, TransferReceiver>();
  private readonly highWater: number;
  private readonly lowWater: number;

  constructor(private readonly options: TransferEndpointOptions) {
    this.highWater = options.highWaterMark ?? 1024 * 1024;
    this.lowWater = options.lowWaterMark ?? 256 * 1024;
  }

  send(request: OutgoingTransferOptions): TransferHandle<SenderEvent> {
    const transferId = this.nextTransferId++;
    const mode = request.mode ?? DEFAULT_MODE;
    const listeners = new Set<(event: SenderEvent) => void>();
    let settle!: { resolve: () => void; reject: (error: FerryError) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // callers that only listen to events must not see an unhandled rejection

    const sender = new TransferSender({
      transferId,
      entries: request.entries,
      mode,
      chunkSize: chunkSizeFor(this.options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE, request.chunkSize ?? DEFAULT_CHUNK_BYTES),
      digest: request.digest ?? DEFAULT_DIGEST,
      ...(request.blockChunks === undefined ? {} : { blockChunks: request.blockChunks }),
      ...(request.resumeKey === undefined ? {} : { resumeKey: request.resumeKey, resume: request.resume === true }),
      createHasher: this.options.createHasher,
      sendControl: this.options.sendControl,
      onEvent: (event) => {
        for (const listener of listeners) listener(event);
        switch (event.type) {
          case 'accepted':
          case 'ready':
            void this.pump(transferId);
            break;
          case 'completed':
            this.forgetOutgoing(transferId);
            settle.resolve();
            break;
          case 'declined':
            this.forgetOutgoing(transferId);
            // The peer's own code (USER_DECLINED, SINK_FAILED, PATH_INVALID, …) rides along as the cause.
            settle.reject(new FerryError('TRANSFER_DECLINED', `The other device declined: ${event.message}`, { cause: { code: event.code } }));
            break;
          case 'cancelled':
            this.forgetOutgoing(transferId);
            // Who cancelled rides along as the cause: a view words "you" and "they" differently.
            settle.reject(new FerryError('TRANSFER_CANCELLED', cancelledWords(event), { cause: { by: event.by, code: event.code } }));
            break;
          case 'failed':
            this.forgetOutgoing(transferId);
            settle.reject(event.error);
            break;
          case 'interrupted':
            this.forgetOutgoing(transferId);
            settle.reject(event.error.code === 'TRANSFER_PAUSED' ? event.error : interrupted(event.error));
            break;
          case 'progress':
          case 'file-verified':
            break;
          default: {
            const unreachable: never = event;
            return unreachable;
          }
        }
      },
    });
    this.outgoing.set(transferId, { sender, source: request.source, mode, channels: new Map(), pumping: false, repump: false });
    sender.start();
    return {
      transferId,
      done,
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      cancel: () => sender.cancel(),
      pause: () => sender.pause(),
    };
  }

  /** Asks the peer to offer again a paused transfer it was sending us (SPEC.md, "Resume"). */
  requestResume(resumeKey: string): void {
    this.options.sendControl({ type: 'resume-request', resumeKey });
  }

  /** A transfer message from the control channel. */
  handleControl(message: TransferMessage): void {
    switch (message.type) {
      case 'offer':
        this.startIncoming(message.transferId).handle(message);
        return;
      case 'offer-page':
      case 'block-digest':
      case 'file-digest':
        this.incoming.get(message.transferId)?.handle(message);
        return;
      case 'cancel':
      case 'pause':
        if (message.from === 'sender') this.incoming.get(message.transferId)?.handle(message);
        else this.outgoing.get(message.transferId)?.sender.handle(message);
        return;
      case 'resume-request':
        this.options.onResumeRequest?.(message.resumeKey);
        return;
      case 'have':
      case 'accept':
      case 'decline':
      case 'credit':
      case 'gaps':
      case 'file-verified':
      case 'complete':
        // Messages for transfers that already ended are late, not hostile: ignore them.
        this.outgoing.get(message.transferId)?.sender.handle(message);
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /** A frame from a data channel. */
  handleData(frame: Uint8Array): void {
    let decoded: ReturnType<typeof decodeDataFrame>;
    try {
      decoded = decodeDataFrame(frame);
    } catch (error) {
      // A malformed frame cannot be attributed to a transfer reliably; fail every incoming one.
      const refused = error instanceof FerryError ? error : new FerryError('DATA_FRAME_INVALID', String(error));
      for (const receiver of this.incoming.values()) receiver.refuseData(refused);
      return;
    }
    this.incoming.get(decoded.header.transferId)?.receiveData(decoded.header, decoded.payload);
  }

  /** The connection is gone (`why`, when known): every transfer fails and partial files are removed. */
  closed(why?: FerryError): void {
    for (const { sender } of [...this.outgoing.values()]) sender.channelClosed(why);
    for (const receiver of [...this.incoming.values()]) receiver.channelClosed(why);
  }

  get activeTransfers(): { outgoing: number; incoming: number } {
    return { outgoing: this.outgoing.size, incoming: this.incoming.size };
  }

  private startIncoming(transferId: number): TransferReceiver {
    const existing = this.incoming.get(transferId);
    if (existing) return existing; // its handle() reports the second offer
    const listeners = new Set<(event: ReceiverEvent) => void>();
    let settle!: { resolve: () => void; reject: (error: FerryError) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {});
    let sink: FileSink | undefined;
    let aborting: Promise<void> | undefined;
    const deadline = this.options.writeDeadlineMs ?? DEFAULT_WRITE_DEADLINE_MS;
    const watchdog = new WriteWatchdog(this.options.runtime, deadline, () =>
      receiver.sinkFailed(new Error(`the disk did not finish a write within ${deadline / 1000} s`)),
    );

        // Whether the offer reached onIncoming: a failure before that is a refusal nobody was asked about.
    let offered = false;
const receiver: TransferReceiver = new TransferReceiver(transferId, {
      runtime: this.options.runtime,
      createHasher: this.options.createHasher,
      sendControl: this.options.sendControl,
      windowChunks: this.options.windowChunks,
      repairAfterMs: this.options.repairAfterMs,
      onAction: (action) => {
        switch (action.type) {
          case 'write':
            if (!sink) return;
            watchdog.started();
            sink.write(action.fileIndex, action.offset, action.bytes).then(
              () => {
                watchdog.finished();
                receiver.written(action.fileIndex, action.chunkIndex);
              },
              (error: unknown) => {
                watchdog.finished();
                receiver.sinkFailed(error);
              },
            );
            return;
          case 'finalize':
            sink?.finalize(action.fileIndex).then(
              () => receiver.finalized(action.fileIndex),
              (error: unknown) => receiver.sinkFailed(error),
            );
            return;
          case 'block-verified':
            sink?.blockVerified?.(action.fileIndex, action.block, action.digest).catch((error: unknown) => receiver.sinkFailed(error));
            return;
          case 'abort':
            aborting ??= sink?.abort().catch(() => {});
            return;
          case 'suspend':
            aborting ??= (sink?.suspend ? sink.suspend() : sink?.abort())?.catch(() => {});
            return;
          default: {
            const unreachable: never = action;
            return unreachable;
          }
        }
      },
      onEvent: (event) => {
        for (const listener of listeners) listener(event);
        if (event.type === 'completed' || event.type === 'cancelled' || event.type === 'failed' || event.type === 'interrupted') watchdog.stop();
        switch (event.type) {
          case 'offer': {
            offered = true;
            if (this.incoming.size > (this.options.maxIncoming ?? 16)) {
              receiver.decline('BUSY', 'The other device is receiving too many transfers at once.');
              this.incoming.delete(transferId);
              settle.reject(new FerryError('TRANSFER_DECLINED', 'Too many incoming transfers.'));
              return;
            }
            let decided = false;
            this.options.onIncoming(
              event.offer,
              {
                accept: (chosenSink, resume) => {
                  if (decided) return;
                  decided = true;
                  sink = chosenSink;
                  receiver.accept(resume);
                },
                decline: (code, message) => {
                  if (decided) return;
                  decided = true;
                  receiver.decline(code, message);
                  this.incoming.delete(transferId);
                  settle.reject(new FerryError('TRANSFER_DECLINED', 'You declined the transfer.'));
                },
              },
              handle,
            );
            return;
          }
          case 'completed':
            this.incoming.delete(transferId);
            settle.resolve();
            return;
          case 'cancelled':
            this.incoming.delete(transferId);
            void Promise.resolve(aborting).then(() =>
              settle.reject(new FerryError('TRANSFER_CANCELLED', cancelledWords(event), { cause: { by: event.by, code: event.code } })),
            );
            return;
          case 'failed':
            this.incoming.delete(transferId);
            if (!offered) this.options.onRefused?.(transferId, event.error);
            void Promise.resolve(aborting).then(() => settle.reject(event.error));
            return;
          case 'interrupted':
            this.incoming.delete(transferId);
            void Promise.resolve(aborting).then(() => settle.reject(event.error.code === 'TRANSFER_PAUSED' ? event.error : interrupted(event.error)));
            return;
          case 'progress':
          case 'file-done':
            return;
          default: {
            const unreachable: never = event;
            return unreachable;
          }
        }
      },
    });
    const handle: TransferHandle<ReceiverEvent> = {
      transferId,
      done,
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      cancel: () => receiver.cancel(),
      pause: () => receiver.pause(),
    };
    this.incoming.set(transferId, receiver);
    return receiver;
  }

  private async pump(transferId: number): Promise<void> {
    const transfer = this.outgoing.get(transferId);
    if (!transfer) return;
    if (transfer.pumping) {
      transfer.repump = true;
      return;
    }
    transfer.pumping = true;
    try {
      do {
        transfer.repump = false;
        const { sender, source } = transfer;
        for (let channel = this.pickChannel(transfer); channel; channel = this.pickChannel(transfer)) {
          const request = sender.nextChunk();
          if (!request) break;
          try {
            await source.read(request.fileIndex, request.offset, request.payload);
          } catch (error) {
            sender.readFailed(request, error);
            return;
          }
          if (sender.state !== 'sending') return;
          // A channel that closed during the read: the chunk goes out on another (or the
          // transfer fails through stripeClosed / the control channel).
          const target = channel.open ? channel : this.pickChannel(transfer);
          if (!target) return;
          const frame = sender.chunkRead(request);
          if (frame) target.send(frame);
        }
      } while (transfer.repump);
    } finally {
      transfer.pumping = false;
    }
  }

  /**
   * The open channel with the most room under the high-water mark (striping balances itself:
   * a faster connection drains sooner and gets more chunks); none when all are full.
   */
  private pickChannel(transfer: Outgoing): FrameChannel | undefined {
    let best: FrameChannel | undefined;
    for (const channel of this.options.dataChannels(transfer.mode)) {
      if (!channel.open || channel.bufferedAmount >= this.highWater) continue;
      if (best === undefined || channel.bufferedAmount < best.bufferedAmount) best = channel;
    }
    if (best && !transfer.channels.has(best)) {
      best.setLowWaterMark(this.lowWater);
      const transferId = transfer.sender.transferId;
      transfer.channels.set(best, best.onBufferedAmountLow(() => void this.pump(transferId)));
    }
    return best;
  }

  /**
   * A data channel closed (a stripe's connection went away). What it still carried is lost: a
   * partial-mode transfer repairs that; a reliable one cannot know what is missing, so it stops
   * with a clear error rather than wait forever.
   */
  dataChannelClosed(channel: FrameChannel): void {
    for (const transfer of [...this.outgoing.values()]) {
      if (!transfer.channels.has(channel)) continue;
      transfer.channels.get(channel)?.();
      transfer.channels.delete(channel);
      if (transfer.mode !== 'partial') transfer.sender.abort(new FerryError('CHANNEL_CLOSED', 'A connection carrying the transfer closed.'));
      else void this.pump(transfer.sender.transferId);
    }
  }

  private forgetOutgoing(transferId: number): void {
    for (const unsubscribe of this.outgoing.get(transferId)?.channels.values() ?? []) unsubscribe();
    this.outgoing.delete(transferId);
  }
}

/** A cancel in words: a person's own, this device's reason (a stripe closed), or the other device's. */
function cancelledWords(event: { by: 'local' | 'remote'; code: string; message: string }): string {
  if (event.by === 'remote') return `The other device cancelled: ${event.message}`;
  return event.code === 'TRANSFER_CANCELLED' ? 'You cancelled the transfer.' : event.message;
}
