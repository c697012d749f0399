import { FerryError, type FerryErrorCode } from '../errors.js';
import type { DeliveryMode, DigestAlgorithm, ManifestEntry, TransferMessage } from '../wire/control.js';
import { allocateDataFrame } from '../wire/data-frame.js';
import { encodeUtf8 } from '../utf8.js';
import { blockChunksFor, blockCount, emptyFileDigest, FileDigestChain } from './block-digest.js';
import type { Hasher, HasherFactory } from './hasher.js';
import { TransferPlan } from './plan.js';
import { closedBeforeFinished } from './closed-before-finished.js';

export type SenderState = 'offering' | 'sending' | 'completed' | 'declined' | 'cancelled' | 'failed' | 'interrupted';

export type SenderEvent =
  | { type: 'accepted' }
  | { type: 'declined'; code: string; message: string }
  | { type: 'progress'; bytesSent: number; totalBytes: number }
  | { type: 'file-verified'; fileIndex: number }
  | { type: 'completed' }
  | { type: 'cancelled'; by: 'local' | 'remote'; code: string; message: string }
  | { type: 'failed'; error: FerryError }
  /** The connection went before the end: a resumable transfer is offered again when the two meet. */
  | { type: 'interrupted'; error: FerryError }
  /** Credit or repairs arrived: the driver should pump again. */
  | { type: 'ready' };

/** One chunk the driver must read into `payload`, then hand back through chunkRead(). */
export interface ChunkRequest {
  fileIndex: number;
  chunkIndex: number;
  offset: number;
  length: number;
  retransmit: boolean;
  /** A resumed transfer's block the receiver already holds: read and hashed for its digest, never sent. */
  check: boolean;
  frame: Uint8Array;
  payload: Uint8Array;
}

export interface SenderOptions {
  transferId: number;
  entries: readonly ManifestEntry[];
  mode: DeliveryMode;
  chunkSize: number;
  digest: DigestAlgorithm;
  /** Chunks per integrity block; by default as many as make 4 MiB. */
  blockChunks?: number;
  createHasher: HasherFactory;
  sendControl: (message: TransferMessage) => void;
  onEvent: (event: SenderEvent) => void;
  /** The transfer's name across sessions (SPEC.md, "Resume"). */
  resumeKey?: string;
  /** Offers again a transfer that was interrupted: the receiver may say what it holds. */
  resume?: boolean;
}

/** Offer pages stay well under the 64 KiB control frame limit. */
const OFFER_PAGE_BYTES = 48 * 1024;

/**
 * The sending side of one transfer, sans-IO. It offers the manifest, then hands out chunk
 * requests only while the receiver has granted credit, hashes each file as it is first read
 * (in order), announces each file's digest, and resends chunks the receiver reports missing.
 */
export class TransferSender {
  private stateValue: SenderState = 'offering';
  readonly plan: TransferPlan;
  private credits = 0;
  /** Next first-time chunk, as a global index. */
  private frontier = 0;
  private readonly repairs: number[] = [];
  private readonly queuedRepairs = new Set<number>();
  readonly blockChunks: number;
  /** The block being hashed and the file digest it feeds (first reads come in order). */
  private blockHasher: Hasher | undefined;
  private chain: FileDigestChain | undefined;
  private hashedFile = -1;
  /** Requests handed out and not yet returned: first-time reads must come back in order. */
  private readonly inFlight: ChunkRequest[] = [];
  private bytesSent = 0;
  private readonly verified = new Set<number>();
  /** Resumed: files the receiver holds whole, and blocks of others it holds verified. */
  private readonly heldFiles = new Set<number>();
  /** Files whose digest went out: only those can be verified. */
  private readonly digestSent = new Set<number>();
  private readonly heldBlocks = new Map<number, Set<number>>();

  constructor(private readonly options: SenderOptions) {
    this.plan = new TransferPlan(options.entries, options.chunkSize);
    this.blockChunks = options.blockChunks ?? blockChunksFor(options.chunkSize);
  }

  get state(): SenderState {
    return this.stateValue;
  }

  get transferId(): number {
    return this.options.transferId;
  }

  /** Sends the offer, in pages if the manifest is large. */
  start(): void {
    const pages = paginate(this.options.entries);
    const [first = [], ...rest] = pages;
    this.options.sendControl({
      type: 'offer',
      transferId: this.options.transferId,
      mode: this.options.mode,
      chunkSize: this.options.chunkSize,
      digest: this.options.digest,
      blockChunks: this.blockChunks,
      totalEntries: this.options.entries.length,
      totalBytes: this.plan.totalBytes,
      entries: first,
      ...(this.options.resumeKey === undefined ? {} : { resumeKey: this.options.resumeKey }),
      ...(this.options.resume ? { resume: true } : {}),
    });
    for (const page of rest) this.options.sendControl({ type: 'offer-page', transferId: this.options.transferId, entries: page });
  }

  handle(message: TransferMessage): void {
    if (this.isFinished()) return;
    switch (message.type) {
      case 'have':
        if (this.stateValue !== 'offering' || !this.options.resume) return this.protocolError('"have" for a transfer that is not being resumed.');
        return this.held(message.fileIndex, message.complete, message.blocks);
      case 'accept':
        if (this.stateValue !== 'offering') return this.protocolError('A second accept.');
        this.stateValue = 'sending';
        this.options.onEvent({ type: 'accepted' });
        if (this.bytesSent > 0) this.options.onEvent({ type: 'progress', bytesSent: this.bytesSent, totalBytes: this.plan.totalBytes });
        this.announceEmptyPrefix();
        return;
      case 'decline':
        if (this.stateValue !== 'offering') return this.protocolError('Declined after accepting.');
        this.stateValue = 'declined';
        this.options.onEvent({ type: 'declined', code: message.code, message: message.message });
        return;
      case 'credit':
        if (this.stateValue === 'offering') return this.protocolError('Credit before accept.');
        this.credits += message.chunks;
        this.options.onEvent({ type: 'ready' });
        return;
      case 'gaps': {
        if (this.stateValue === 'offering') return this.protocolError('Gaps before accept.');
        const chunks = this.plan.chunkCounts[message.fileIndex] ?? 0;
        let granted = 0;
        for (const [start, end] of message.ranges) {
          if (start >= end || end > chunks) return this.protocolError(`Gap [${start}, ${end}) outside file ${message.fileIndex}.`);
          for (let c = start; c < end; c++) {
            granted++;
            const global = this.plan.globalIndex(message.fileIndex, c);
            // Not sent yet: it will go out anyway; the credit still counts.
            if (global >= this.frontier || this.queuedRepairs.has(global)) continue;
            this.queuedRepairs.add(global);
            this.repairs.push(global);
          }
        }
        this.credits += granted;
        this.options.onEvent({ type: 'ready' });
        return;
      }
      case 'file-verified':
        if (!this.plan.isFile(message.fileIndex)) return this.protocolError(`No file ${message.fileIndex} to verify.`);
        // Verified means the receiver checked what was sent: not before the file's digest went.
        if (!this.digestSent.has(message.fileIndex) && !this.heldFiles.has(message.fileIndex)) return this.protocolError(`"file-verified" for file ${message.fileIndex} before it was sent.`);
        if (!this.verified.has(message.fileIndex)) {
          this.verified.add(message.fileIndex);
          this.options.onEvent({ type: 'file-verified', fileIndex: message.fileIndex });
        }
        return;
      case 'complete':
        if (this.stateValue !== 'sending') return this.protocolError('Complete before accept.');
        if (this.unverifiedFile() !== undefined) return this.protocolError(`"complete" before file ${this.unverifiedFile()} was verified.`);
        this.stateValue = 'completed';
        this.options.onEvent({ type: 'completed' });
        return;
      case 'cancel':
        this.stateValue = 'cancelled';
        this.options.onEvent({ type: 'cancelled', by: 'remote', code: message.code, message: message.message });
        return;
      case 'pause':
        if (this.options.resumeKey === undefined || this.stateValue !== 'sending') return this.protocolError('A pause of a transfer that cannot be paused.');
        return this.paused(new FerryError('TRANSFER_PAUSED', 'The other device paused the transfer.'));
      case 'offer':
      case 'offer-page':
      case 'block-digest':
      case 'file-digest':
      case 'resume-request':
        return this.protocolError(`A sender does not take "${message.type}".`);
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /** The next chunk to read (and send, if credit allows); undefined when there is nothing to do now. */
  nextChunk(): ChunkRequest | undefined {
    if (this.stateValue !== 'sending') return undefined;
    this.skipHeldFiles();
    let global: number | undefined;
    let retransmit = false;
    let check = false;
    if (this.frontier < this.plan.totalChunks && this.receiverHolds(this.frontier)) {
      // Read for its digest only: no credit, nothing on the wire.
      global = this.frontier++;
      check = true;
    } else {
      if (this.credits <= 0) return undefined;
      const repair = this.repairs.shift();
      if (repair !== undefined) {
        this.queuedRepairs.delete(repair);
        global = repair;
        retransmit = true;
      } else {
        if (this.frontier >= this.plan.totalChunks) return undefined;
        global = this.frontier++;
      }
      this.credits--;
    }
    const { fileIndex, chunkIndex } = this.plan.locate(global);
    const length = this.plan.chunkLength(fileIndex, chunkIndex);
    const { frame, payload } = allocateDataFrame({ transferId: this.options.transferId, fileIndex, chunkIndex }, length);
    const request: ChunkRequest = {
      fileIndex,
      chunkIndex,
      offset: chunkIndex * this.plan.chunkSize,
      length,
      retransmit,
      check,
      frame,
      payload,
    };
    this.inFlight.push(request);
    return request;
  }

  /** The driver read the chunk into `request.payload`; returns the frame to send (none for a check read). */
  chunkRead(request: ChunkRequest): Uint8Array | undefined {
    const index = this.inFlight.indexOf(request);
    if (index === -1) throw new FerryError('TRANSFER_PROTOCOL', 'chunkRead() for a chunk that was not requested.');
    if (!request.retransmit) {
      const firstPending = this.inFlight.find((r) => !r.retransmit);
      if (firstPending !== request) throw new FerryError('TRANSFER_PROTOCOL', 'First-time chunks must be read in order.');
    }
    this.inFlight.splice(index, 1);
    if (request.retransmit) return request.frame;
    this.hashChunk(request);
    if (request.check) return undefined;
    this.bytesSent += request.length;
    this.options.onEvent({ type: 'progress', bytesSent: this.bytesSent, totalBytes: this.plan.totalBytes });
    return request.frame;
  }

  /** A `have`: what the receiver of a resumed transfer holds of one file. */
  private held(fileIndex: number, complete: boolean, ranges: readonly (readonly [number, number])[]): void {
    if (!this.plan.isFile(fileIndex)) return this.protocolError(`"have" for entry ${fileIndex}, which is no file.`);
    if (this.heldFiles.has(fileIndex) || this.heldBlocks.has(fileIndex)) return this.protocolError(`Two "have" for file ${fileIndex}.`);
    const chunks = this.plan.chunkCounts[fileIndex] ?? 0;
    if (complete) {
      if (ranges.length > 0) return this.protocolError(`"have" for file ${fileIndex}: complete, with blocks.`);
      this.heldFiles.add(fileIndex);
      this.bytesSent += this.plan.fileSize(fileIndex);
      return;
    }
    const blocks = new Set<number>();
    const count = blockCount(chunks, this.blockChunks);
    let previousEnd = 0;
    for (const [first, end] of ranges) {
      if (first < previousEnd || first >= end || end > count) return this.protocolError(`"have" block range [${first}, ${end}) of file ${fileIndex} is out of order or past its ${count} blocks.`);
      previousEnd = end;
      for (let block = first; block < end; block++) {
        blocks.add(block);
        for (let c = block * this.blockChunks; c < Math.min(chunks, (block + 1) * this.blockChunks); c++) this.bytesSent += this.plan.chunkLength(fileIndex, c);
      }
    }
    this.heldBlocks.set(fileIndex, blocks);
  }

  private receiverHolds(global: number): boolean {
    const { fileIndex, chunkIndex } = this.plan.locate(global);
    return this.heldBlocks.get(fileIndex)?.has(Math.floor(chunkIndex / this.blockChunks)) ?? false;
  }

  /** The first-time frontier passes over files the receiver holds whole (and says so for the empty ones after them). */
  private skipHeldFiles(): void {
    while (this.frontier < this.plan.totalChunks) {
      const { fileIndex } = this.plan.locate(this.frontier);
      if (!this.heldFiles.has(fileIndex)) return;
      this.frontier = this.plan.globalIndex(fileIndex, this.plan.chunkCounts[fileIndex] ?? 0);
      this.announceEmptyAfter(fileIndex);
    }
  }

  /** The read failed: the transfer cannot go on. */
  readFailed(request: ChunkRequest, cause: unknown): void {
    this.fail(new FerryError('SOURCE_FAILED', `Could not read "${this.options.entries[request.fileIndex]?.path}".`, { cause }), true);
  }

  cancel(code: FerryErrorCode | string = 'TRANSFER_CANCELLED', message = 'The sender cancelled the transfer.'): void {
    if (this.isFinished()) return;
    this.stateValue = 'cancelled';
    this.options.sendControl({ type: 'cancel', transferId: this.options.transferId, from: 'sender', code, message });
    this.options.onEvent({ type: 'cancelled', by: 'local', code, message });
  }

  /** This side's person pauses a running resumable transfer: the peer is told; both keep what they have. */
  pause(): void {
    if (this.options.resumeKey === undefined || this.stateValue !== 'sending') return;
    this.options.sendControl({ type: 'pause', transferId: this.options.transferId, from: 'sender' });
    this.paused(new FerryError('TRANSFER_PAUSED', 'You paused the transfer.'));
  }

  private paused(error: FerryError): void {
    this.stateValue = 'interrupted';
    this.options.onEvent({ type: 'interrupted', error });
  }

  /** Something outside the protocol broke the transfer: the peer is told, the transfer fails. */
  abort(error: FerryError): void {
    this.fail(error, true);
  }

  /** The control channel closed (`why`, when known): a resumable transfer is interrupted, any other fails. */
  channelClosed(why?: FerryError): void {
    if (this.isFinished()) return;
    const error = closedBeforeFinished(why);
    if (this.options.resumeKey === undefined) return this.fail(error, false);
    this.stateValue = 'interrupted';
    this.options.onEvent({ type: 'interrupted', error });
  }

  private hashChunk(request: ChunkRequest): void {
    const { fileIndex, chunkIndex } = request;
    if (this.hashedFile !== fileIndex) {
      this.chain = new FileDigestChain(this.options.createHasher, this.options.digest);
      this.hashedFile = fileIndex;
    }
    this.blockHasher ??= this.options.createHasher(this.options.digest);
    this.blockHasher.update(request.payload);
    const lastChunk = chunkIndex === (this.plan.chunkCounts[fileIndex] ?? 0) - 1;
    if ((chunkIndex + 1) % this.blockChunks !== 0 && !lastChunk) return;
    const digest = this.blockHasher.digest();
    this.blockHasher = undefined;
    const chain = this.chain as FileDigestChain;
    this.options.sendControl({ type: 'block-digest', transferId: this.options.transferId, fileIndex, block: chain.blocks, digest });
    chain.add(digest);
    if (!lastChunk) return;
    this.sendDigest(fileIndex, chain.digest());
    this.chain = undefined;
    this.announceEmptyAfter(fileIndex);
  }

  /** Files with no chunks (empty files) are digested as soon as the read order reaches them. */
  private announceEmptyPrefix(): void {
    this.announceEmptyAfter(-1);
  }

  private announceEmptyAfter(fileIndex: number): void {
    for (let f = fileIndex + 1; f < this.plan.entries.length; f++) {
      if (!this.plan.isFile(f) || this.heldFiles.has(f)) continue;
      if ((this.plan.chunkCounts[f] ?? 0) > 0) break;
      this.sendDigest(f, emptyFileDigest(this.options.createHasher, this.options.digest));
    }
  }

  private sendDigest(fileIndex: number, digest: string): void {
    this.digestSent.add(fileIndex);
    this.options.sendControl({ type: 'file-digest', transferId: this.options.transferId, fileIndex, digest });
  }

  /** A file the receiver has not said it verified (nor held whole from before), if any. */
  private unverifiedFile(): number | undefined {
    for (let f = 0; f < this.plan.entries.length; f++) if (this.plan.isFile(f) && !this.verified.has(f) && !this.heldFiles.has(f)) return f;
    return undefined;
  }

  private protocolError(detail: string): void {
    this.fail(new FerryError('TRANSFER_PROTOCOL', `The receiver broke the transfer protocol: ${detail}`), true);
  }

  private fail(error: FerryError, tellPeer: boolean): void {
    if (this.isFinished()) return;
    this.stateValue = 'failed';
    if (tellPeer) {
      this.options.sendControl({
        type: 'cancel',
        transferId: this.options.transferId,
        from: 'sender',
        code: error.code,
        message: error.message.slice(0, 1000),
      });
    }
    this.options.onEvent({ type: 'failed', error });
  }

  private isFinished(): boolean {
    return (
      this.stateValue === 'completed' ||
      this.stateValue === 'declined' ||
      this.stateValue === 'cancelled' ||
      this.stateValue === 'failed' ||
      this.stateValue === 'interrupted'
    );
  }
}

function paginate(entries: readonly ManifestEntry[]): ManifestEntry[][] {
  const pages: ManifestEntry[][] = [[]];
  let size = 0;
  for (const entry of entries) {
    const bytes = encodeUtf8(JSON.stringify(entry)).length + 1;
    const page = pages[pages.length - 1] as ManifestEntry[];
    if (size + bytes > OFFER_PAGE_BYTES && page.length > 0) {
      pages.push([entry]);
      size = bytes;
    } else {
      page.push(entry);
      size += bytes;
    }
  }
  return pages;
}
