import { FerryError, type FerryErrorCode } from '../errors.js';
import type { Runtime } from '../runtime.js';
import {
  type DeliveryMode,
  type DigestAlgorithm,
  type ManifestEntry,
  MAX_RANGES_PER_MESSAGE,
  MAX_TRANSFER_ENTRIES,
  type TransferMessage,
} from '../wire/control.js';
import type { DataFrameHeader } from '../wire/data-frame.js';
import { blockCount, emptyFileDigest, FileDigestChain } from './block-digest.js';
import type { Hasher, HasherFactory } from './hasher.js';
import { TransferPlan } from './plan.js';
import { GapRepair } from './gap-repair.js';
import { closedBeforeFinished } from './closed-before-finished.js';
import { checkManifestPaths } from './safe-path.js';

export type ReceiverState = 'collecting-offer' | 'offered' | 'receiving' | 'completed' | 'declined' | 'cancelled' | 'failed' | 'interrupted';

export interface IncomingOffer {
  transferId: number;
  mode: DeliveryMode;
  digest: DigestAlgorithm;
  chunkSize: number;
  blockChunks: number;
  entries: readonly ManifestEntry[];
  totalBytes: number;
  /** The transfer's name across sessions, when the sender gave one (SPEC.md, "Resume"). */
  resumeKey?: string;
  /** The sender offers again a transfer that was interrupted. */
  resume: boolean;
}

/** What the receiver of a resumed transfer already holds (from its journal, checked against its disk). */
export interface ReceiverResume {
  /** Files verified whole and in their final place. */
  complete: readonly number[];
  /** Other files' verified, durable blocks: file index → block → its digest. */
  blocks: ReadonlyMap<number, ReadonlyMap<number, string>>;
}

/** What the driver must do with the disk. Each has an answer: written(), finalized(), sinkFailed(). */
export type ReceiverAction =
  | { type: 'write'; fileIndex: number; chunkIndex: number; offset: number; bytes: Uint8Array }
  | { type: 'finalize'; fileIndex: number }
  /** A block matched the sender's digest (all its chunks were written before): it may be journaled. */
  | { type: 'block-verified'; fileIndex: number; block: number; digest: string }
  /** Remove every partial file of this transfer. */
  | { type: 'abort' }
  /** The connection went: keep what is verified (a resumable transfer), close the rest. */
  | { type: 'suspend' };

export type ReceiverEvent =
  | { type: 'offer'; offer: IncomingOffer }
  | { type: 'progress'; bytesReceived: number; totalBytes: number }
  | { type: 'file-done'; fileIndex: number }
  | { type: 'completed' }
  | { type: 'cancelled'; by: 'local' | 'remote'; code: string; message: string }
  | { type: 'failed'; error: FerryError }
  /** The connection went mid-transfer; what is verified is kept for a resume. */
  | { type: 'interrupted'; error: FerryError };

export interface ReceiverOptions {
  runtime: Runtime;
  createHasher: HasherFactory;
  sendControl: (message: TransferMessage) => void;
  onAction: (action: ReceiverAction) => void;
  onEvent: (event: ReceiverEvent) => void;
  /** Chunks that may be in flight or held in memory at once: memory ≈ window × chunk size. */
  windowChunks?: number;
  /** Partial mode: how long a chunk may be missing before it is asked for again. */
  repairAfterMs?: number;
  /** How often one block may arrive damaged and be asked for again before the transfer fails. */
  maxBlockRepairs?: number;
}

interface HeldChunk {
  fileIndex: number;
  chunkIndex: number;
  bytes: Uint8Array;
  written: boolean;
  hashed: boolean;
}

/** One integrity block being received: hashed in order as its chunks arrive, checked when whole. */
interface BlockState {
  fileIndex: number;
  block: number;
  /** Global index of its first chunk. */
  firstGlobal: number;
  /** Chunk indices in the file: its first, the next to hash, and one past its last. */
  first: number;
  next: number;
  end: number;
  hasher: Hasher | undefined;
  /** Its chunks still held in memory (not yet both written and hashed). */
  unreleased: number;
  /** Our digest, once every chunk is hashed. */
  digest: string | undefined;
}

/** A file's digest, built from its verified block digests in block order. */
interface FileChain {
  chain: FileDigestChain;
  /** Verified blocks that arrived ahead of the chain (unordered modes). */
  ahead: Map<number, string>;
}

const DEFAULT_WINDOW = 64;
/** What `have` records per chunk. */
const MISSING = 0;
const ARRIVED = 1;
const VERIFIED = 2;
const DEFAULT_MAX_BLOCK_REPAIRS = 3;

/**
 * The receiving side of one transfer, sans-IO. It assembles and checks the offer, and once
 * accepted: validates every data frame against the plan, asks the driver to write each chunk at
 * its offset, hashes files in order as chunks become contiguous, grants credit only as chunks are
 * both written and hashed (so memory and disk set the pace), reports gaps in partial mode, and
 * finalises a file only when its digest matches the sender's.
 */
export class TransferReceiver {
  private stateValue: ReceiverState = 'collecting-offer';
  private offer: IncomingOffer | undefined;
  private collected: ManifestEntry[] = [];
  private expectedEntries = 0;
  private plan: TransferPlan | undefined;
  private readonly window: number;
  private readonly repairAfterMs: number;

  private have: Uint8Array = new Uint8Array(0);
  private readonly held = new Map<number, HeldChunk>();
  /** Global index of the first chunk not here: everything below it has arrived. */
  private haveFrontier = 0;
  private readonly blocks = new Map<number, BlockState>();
  private readonly remoteBlockDigests = new Map<number, string>();
  private readonly blockRepairs = new Map<number, number>();
  private readonly chains = new Map<number, FileChain>();
  private highestSeen = -1;
  private granted = 0;
  private arrived = 0;
  private declaredLost = 0;
  private bytesReceived = 0;

  private readonly localDigests = new Map<number, string>();
  private readonly remoteDigests = new Map<number, string>();
  private readonly pendingWrites = new Map<number, number>();
  private readonly finalizing = new Set<number>();
  private readonly done = new Set<number>();
  private filesTotal = 0;
  private repair: GapRepair | undefined;
  /** Resumed blocks whose sender digest has not come yet (allowed before any credit). */
  private readonly resumedBlocks = new Set<number>();
  /** Chunks held from before (resumed), and the blocks they are in: never granted, never in flight. */
  private restored = 0;
  private readonly restoredBlocks = new Set<number>();
  /** Resumed [first, end) global chunk ranges, sorted: the sender's first-time order skips them. */
  private readonly heldRanges: [number, number][] = [];

  constructor(
    readonly transferId: number,
    private readonly options: ReceiverOptions,
  ) {
    this.window = Math.max(4, options.windowChunks ?? DEFAULT_WINDOW);
    this.repairAfterMs = options.repairAfterMs ?? 250;
  }

  get state(): ReceiverState {
    return this.stateValue;
  }

  get incomingOffer(): IncomingOffer | undefined {
    return this.offer;
  }

  /** Chunks held in memory right now (for tests and memory accounting). */
  get heldChunks(): number {
    return this.held.size;
  }

  handle(message: TransferMessage): void {
    if (this.isFinished()) return;
    switch (message.type) {
      case 'offer': {
        if (this.stateValue !== 'collecting-offer' || this.offer) return this.protocolError('A second offer.');
        this.offer = {
          transferId: message.transferId,
          mode: message.mode,
          digest: message.digest,
          chunkSize: message.chunkSize,
          blockChunks: message.blockChunks,
          entries: [],
          totalBytes: message.totalBytes,
          ...(message.resumeKey === undefined ? {} : { resumeKey: message.resumeKey }),
          resume: message.resume === true,
        };
        this.expectedEntries = message.totalEntries;
        this.collect(message.entries);
        return;
      }
      case 'offer-page':
        if (this.stateValue !== 'collecting-offer' || !this.offer) return this.protocolError('An offer page without an offer.');
        this.collect(message.entries);
        return;
      case 'block-digest': {
        if (this.stateValue !== 'receiving' || !this.plan) return this.protocolError('A block digest before accept.');
        const plan = this.plan;
        if (!plan.isFile(message.fileIndex)) return this.protocolError(`A block digest for entry ${message.fileIndex}, which is no file.`);
        const blockChunks = (this.offer as IncomingOffer).blockChunks;
        const fileChunks = plan.chunkCounts[message.fileIndex] ?? 0;
        if (message.block >= blockCount(fileChunks, blockChunks)) return this.protocolError(`Block ${message.block} is past the end of file ${message.fileIndex}.`);
        const firstGlobal = plan.globalIndex(message.fileIndex, message.block * blockChunks);
        const lastGlobal = plan.globalIndex(message.fileIndex, Math.min(fileChunks, (message.block + 1) * blockChunks) - 1);
        // The sender digests a block after reading it, which takes credit: so digests stay
        // within the window and this map bounded.
        const resumed = this.resumedBlocks.delete(firstGlobal);
        if (lastGlobal >= this.pastHeld(this.granted) && !resumed) return this.protocolError(`A digest for block ${message.block} of file ${message.fileIndex} before it was granted.`);
        if (this.remoteBlockDigests.has(firstGlobal) || this.blockVerified(firstGlobal)) {
          return this.protocolError(`Two digests for block ${message.block} of file ${message.fileIndex}.`);
        }
        this.remoteBlockDigests.set(firstGlobal, message.digest);
        const state = this.blocks.get(firstGlobal);
        if (state) this.checkBlock(state);
        return;
      }
      case 'file-digest': {
        if (this.stateValue !== 'receiving' || !this.plan) return this.protocolError('A digest before accept.');
        if (!this.plan.isFile(message.fileIndex)) return this.protocolError(`A digest for entry ${message.fileIndex}, which is no file.`);
        if (this.remoteDigests.has(message.fileIndex)) return this.protocolError(`Two digests for file ${message.fileIndex}.`);
        this.remoteDigests.set(message.fileIndex, message.digest);
        this.maybeFinalize(message.fileIndex);
        return;
      }
      case 'cancel':
        this.finishWith('cancelled', { type: 'cancelled', by: 'remote', code: message.code, message: message.message });
        return;
      case 'pause':
        if (this.offer?.resumeKey === undefined || this.stateValue !== 'receiving') return this.protocolError('A pause of a transfer that cannot be paused.');
        return this.finishWith('interrupted', { type: 'interrupted', error: new FerryError('TRANSFER_PAUSED', 'The other device paused the transfer.') });
      case 'have':
      case 'resume-request':
      case 'accept':
      case 'decline':
      case 'credit':
      case 'gaps':
      case 'file-verified':
      case 'complete':
        return this.protocolError(`A receiver does not take "${message.type}".`);
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /**
   * The user (or auto-accept) said yes and the sink is ready for these files. A resumed offer may
   * come with what this side already holds: the sender is told (`have`) and sends only the rest.
   */
  accept(resume?: ReceiverResume): void {
    if (this.stateValue !== 'offered' || !this.plan) return;
    this.stateValue = 'receiving';
    this.have = new Uint8Array(this.plan.totalChunks);
    if (resume && this.offer?.resume) this.restore(resume);
    if (this.offer?.mode === 'partial') {
      this.repair = new GapRepair(
        this.options.runtime,
        this.repairAfterMs,
        {
          completeBelow: () => this.haveFrontier,
          highestSeen: () => this.highestSeen,
          // Every reported chunk was re-granted, so first-time credit is what was granted minus
          // those; the sender's first-time order passes over resumed blocks without credit.
          firstTimeFrontier: () => Math.min(this.plan?.totalChunks ?? 0, this.pastHeld(this.granted - this.declaredLost)),
          receiving: () => this.stateValue === 'receiving',
          has: (global) => this.have[global] !== MISSING,
        },
        (missing) => this.sendGaps(missing),
      );
    }
    this.options.sendControl({ type: 'accept', transferId: this.transferId });
    if (this.bytesReceived > 0) this.options.onEvent({ type: 'progress', bytesReceived: this.bytesReceived, totalBytes: this.plan.totalBytes });
    for (const fileIndex of this.done) this.options.onEvent({ type: 'file-done', fileIndex });
    this.grant(this.window);
    this.checkAllDone();
  }

  /** Takes what is held as arrived (blocks) or done (files), and tells the sender (`have`). */
  private restore(resume: ReceiverResume): void {
    const plan = this.plan as TransferPlan;
    const blockChunks = (this.offer as IncomingOffer).blockChunks;
    const tell = (fileIndex: number, complete: boolean, ranges: [number, number][]) => {
      for (let i = 0; i === 0 || i < ranges.length; i += MAX_RANGES_PER_MESSAGE) {
        this.options.sendControl({ type: 'have', transferId: this.transferId, fileIndex, complete, blocks: ranges.slice(i, i + MAX_RANGES_PER_MESSAGE) });
      }
    };
    for (const fileIndex of new Set(resume.complete)) {
      if (!plan.isFile(fileIndex)) continue;
      const chunks = plan.chunkCounts[fileIndex] ?? 0;
      const first = plan.globalIndex(fileIndex, 0);
      this.have.fill(VERIFIED, first, first + chunks);
      this.restored += chunks;
      this.bytesReceived += plan.fileSize(fileIndex);
      this.heldRanges.push([first, first + chunks]);
      this.done.add(fileIndex);
      tell(fileIndex, true, []);
    }
    for (const [fileIndex, blocks] of resume.blocks) {
      if (!plan.isFile(fileIndex) || this.done.has(fileIndex)) continue;
      const chunks = plan.chunkCounts[fileIndex] ?? 0;
      const ranges: [number, number][] = [];
      for (const block of [...blocks.keys()].sort((x, y) => x - y)) {
        const digest = blocks.get(block) as string;
        const first = block * blockChunks;
        const end = Math.min(chunks, first + blockChunks);
        if (!Number.isInteger(block) || block < 0 || first >= chunks) continue;
        const firstGlobal = plan.globalIndex(fileIndex, first);
        this.have.fill(ARRIVED, firstGlobal, firstGlobal + end - first);
        this.restored += end - first;
        this.restoredBlocks.add(firstGlobal);
        for (let c = first; c < end; c++) this.bytesReceived += plan.chunkLength(fileIndex, c);
        // Hashed and on disk already: it waits only for the sender's digest (SPEC.md, "Resume").
        this.blocks.set(firstGlobal, { fileIndex, block, firstGlobal, first, next: end, end, hasher: undefined, unreleased: 0, digest });
        this.resumedBlocks.add(firstGlobal);
        this.heldRanges.push([firstGlobal, firstGlobal + end - first]);
        const last = ranges[ranges.length - 1];
        if (last && last[1] === block) last[1]++;
        else ranges.push([block, block + 1]);
      }
      if (ranges.length > 0) tell(fileIndex, false, ranges);
    }
    this.heldRanges.sort((x, y) => x[0] - y[0]);
    while (this.have[this.haveFrontier] === ARRIVED || this.have[this.haveFrontier] === VERIFIED) this.haveFrontier++;
  }

  /** The global index the sender's first-time order reaches after `credits` chunks, passing held ranges. */
  private pastHeld(credits: number): number {
    let global = credits;
    for (const [first, end] of this.heldRanges) {
      if (first > global) break;
      global += end - first;
    }
    return global;
  }

  decline(code: FerryErrorCode | string = 'TRANSFER_DECLINED', message = 'The receiver declined.'): void {
    if (this.stateValue !== 'offered' && this.stateValue !== 'collecting-offer') return;
    this.stateValue = 'declined';
    this.options.sendControl({ type: 'decline', transferId: this.transferId, code, message });
  }

  cancel(code: FerryErrorCode | string = 'TRANSFER_CANCELLED', message = 'The receiver cancelled the transfer.'): void {
    if (this.isFinished()) return;
    this.options.sendControl({ type: 'cancel', transferId: this.transferId, from: 'receiver', code, message });
    this.finishWith('cancelled', { type: 'cancelled', by: 'local', code, message });
  }

  /**
   * A message on a data channel that is no data frame (a control frame, an empty or truncated
   * message): not this side's choice, so the transfer fails in words saying so, never as a cancel.
   */
  refuseData(error: FerryError): void {
    this.failWith(error.code as FerryErrorCode, `The other device sent data Ferry could not accept (${error.message})`);
  }

  /** This side's person pauses a running resumable transfer: the sender is told; what is verified is kept. */
  pause(): void {
    if (this.offer?.resumeKey === undefined || this.stateValue !== 'receiving') return;
    this.options.sendControl({ type: 'pause', transferId: this.transferId, from: 'receiver' });
    this.finishWith('interrupted', { type: 'interrupted', error: new FerryError('TRANSFER_PAUSED', 'You paused the transfer.') });
  }

  channelClosed(why?: FerryError): void {
    if (this.isFinished()) return;
    const error = closedBeforeFinished(why);
    // A resumable transfer under way keeps what is verified; anything else ends.
    if (this.offer?.resumeKey !== undefined && this.stateValue === 'receiving') return this.finishWith('interrupted', { type: 'interrupted', error });
    this.finishWith('failed', { type: 'failed', error });
  }

  /** One data frame for this transfer. `payload` may be kept: it must not be reused by the caller. */
  receiveData(header: DataFrameHeader, payload: Uint8Array): void {
    if (this.isFinished()) return;
    const plan = this.plan;
    if (this.stateValue !== 'receiving' || !plan) return this.protocolError('Data before accept.');
    const { fileIndex, chunkIndex } = header;
    if (!plan.isFile(fileIndex)) return this.frameError(`entry ${fileIndex} is no file of this transfer`);
    if (chunkIndex >= (plan.chunkCounts[fileIndex] ?? 0)) return this.frameError(`chunk ${chunkIndex} is past the end of file ${fileIndex}`);
    const expected = plan.chunkLength(fileIndex, chunkIndex);
    if (payload.length !== expected) return this.frameError(`chunk ${chunkIndex} of file ${fileIndex} has ${payload.length} bytes, not ${expected}`);

    const global = plan.globalIndex(fileIndex, chunkIndex);
    if (this.have[global] !== MISSING) return; // a duplicate: already here
    // Credit bounds what a well-behaved sender can have outstanding; twice that is abuse.
    if (this.held.size >= this.window * 2) return this.protocolError('More data than the receiver granted.');
    this.have[global] = ARRIVED;
    while (this.have[this.haveFrontier] === ARRIVED || this.have[this.haveFrontier] === VERIFIED) this.haveFrontier++;
    this.arrived++;
    this.highestSeen = Math.max(this.highestSeen, global);
    this.bytesReceived += payload.length;
    this.held.set(global, { fileIndex, chunkIndex, bytes: payload, written: false, hashed: false });
    const block = this.blockOf(fileIndex, chunkIndex);
    block.unreleased++;
    this.pendingWrites.set(fileIndex, (this.pendingWrites.get(fileIndex) ?? 0) + 1);
    this.options.onAction({ type: 'write', fileIndex, chunkIndex, offset: chunkIndex * plan.chunkSize, bytes: payload });
    this.options.onEvent({ type: 'progress', bytesReceived: this.bytesReceived, totalBytes: plan.totalBytes });
    this.hashBlock(block);
    this.repair?.arrived();
  }

  /** The sink wrote a chunk (durably enough to be read back). */
  written(fileIndex: number, chunkIndex: number): void {
    if (this.isFinished() || !this.plan) return;
    const global = this.plan.globalIndex(fileIndex, chunkIndex);
    const chunk = this.held.get(global);
    if (!chunk || chunk.written) return;
    chunk.written = true;
    this.pendingWrites.set(fileIndex, (this.pendingWrites.get(fileIndex) ?? 1) - 1);
    if (chunk.hashed) this.release(global, chunk);
    this.maybeFinalize(fileIndex);
  }

  /** The sink moved the file to its final name. */
  finalized(fileIndex: number): void {
    if (this.isFinished() || !this.finalizing.has(fileIndex)) return;
    this.finalizing.delete(fileIndex);
    this.done.add(fileIndex);
    this.options.sendControl({ type: 'file-verified', transferId: this.transferId, fileIndex });
    this.options.onEvent({ type: 'file-done', fileIndex });
    this.checkAllDone();
  }

  sinkFailed(cause: unknown): void {
    const error = new FerryError('SINK_FAILED', `Could not write the received files: ${(cause as Error)?.message ?? cause}`, { cause });
    if (this.isFinished()) return;
    this.options.sendControl({ type: 'cancel', transferId: this.transferId, from: 'receiver', code: error.code, message: error.message.slice(0, 1000) });
    this.finishWith('failed', { type: 'failed', error });
  }

  private collect(entries: readonly ManifestEntry[]): void {
    const more = this.collected.length + entries.length > this.expectedEntries;
    if (!more) this.collected.push(...entries);
    if (!more && this.collected.length < this.expectedEntries) return;
    const offer = this.offer as IncomingOffer;
    try {
      // A count that disagrees with the entries is refused before anyone is asked, like a bad name.
      if (more) throw new FerryError('MANIFEST_INVALID', `The offer lists more entries than the ${this.expectedEntries} it announced.`);
      if (this.collected.length > MAX_TRANSFER_ENTRIES) throw new FerryError('MANIFEST_INVALID', 'The offer has too many entries.');
      checkManifestPaths(this.collected);
      const plan = new TransferPlan(this.collected, offer.chunkSize);
      if (plan.totalBytes !== offer.totalBytes) {
        throw new FerryError('MANIFEST_INVALID', `The offer's sizes add up to ${plan.totalBytes} bytes, not the ${offer.totalBytes} it announced.`);
      }
      this.plan = plan;
    } catch (error) {
      const ferryError = error instanceof FerryError ? error : new FerryError('MANIFEST_INVALID', 'Unreadable offer.', { cause: error });
      this.stateValue = 'declined';
      this.options.sendControl({ type: 'decline', transferId: this.transferId, code: ferryError.code, message: ferryError.message.slice(0, 1000) });
      this.options.onEvent({ type: 'failed', error: ferryError });
      return;
    }
    this.offer = { ...offer, entries: this.collected };
    this.filesTotal = this.plan.entries.filter((e) => e.kind === 'file').length;
    this.stateValue = 'offered';
    this.options.onEvent({ type: 'offer', offer: this.offer });
  }

  private blockOf(fileIndex: number, chunkIndex: number): BlockState {
    const plan = this.plan as TransferPlan;
    const blockChunks = (this.offer as IncomingOffer).blockChunks;
    const block = Math.floor(chunkIndex / blockChunks);
    const first = block * blockChunks;
    const firstGlobal = plan.globalIndex(fileIndex, first);
    let state = this.blocks.get(firstGlobal);
    if (!state) {
      const end = Math.min(plan.chunkCounts[fileIndex] ?? 0, first + blockChunks);
      state = { fileIndex, block, firstGlobal, first, next: first, end, hasher: undefined, unreleased: 0, digest: undefined };
      this.blocks.set(firstGlobal, state);
    }
    return state;
  }

  /** Hashes the block's chunks that are next in order; digests it once all are in. */
  private hashBlock(block: BlockState): void {
    const plan = this.plan as TransferPlan;
    while (block.next < block.end) {
      const global = plan.globalIndex(block.fileIndex, block.next);
      const chunk = this.held.get(global);
      if (!chunk || chunk.hashed) return;
      block.hasher ??= this.options.createHasher((this.offer as IncomingOffer).digest);
      block.hasher.update(chunk.bytes);
      chunk.hashed = true;
      block.next++;
      if (block.next === block.end) {
        block.digest = block.hasher.digest();
        block.hasher = undefined;
      }
      if (chunk.written) this.release(global, chunk);
    }
    this.checkBlock(block);
  }

  private release(global: number, chunk: HeldChunk): void {
    this.held.delete(global);
    const block = this.blocks.get(this.blockStart(chunk.fileIndex, chunk.chunkIndex));
    if (block) {
      block.unreleased--;
      this.checkBlock(block);
    }
    this.maybeGrant();
  }

  private blockStart(fileIndex: number, chunkIndex: number): number {
    const blockChunks = (this.offer as IncomingOffer).blockChunks;
    return (this.plan as TransferPlan).globalIndex(fileIndex, chunkIndex - (chunkIndex % blockChunks));
  }

  private blockVerified(firstGlobal: number): boolean {
    return this.have[firstGlobal] === VERIFIED;
  }

  /**
   * A block whose chunks are all hashed and on disk is compared with the sender's digest:
   * equal → it joins the file's digest; different → its chunks are asked for again.
   */
  private checkBlock(block: BlockState): void {
    if (this.stateValue !== 'receiving' || block.digest === undefined || block.unreleased > 0) return;
    const remote = this.remoteBlockDigests.get(block.firstGlobal);
    if (remote === undefined) return;
    this.blocks.delete(block.firstGlobal);
    // A damaged block keeps the sender's digest: its resent chunks are checked against it.
    if (remote !== block.digest) return this.repairBlock(block);
    this.remoteBlockDigests.delete(block.firstGlobal);
    this.have.fill(VERIFIED, block.firstGlobal, block.firstGlobal + block.end - block.first);
    this.blockRepairs.delete(block.firstGlobal);
    this.options.onAction({ type: 'block-verified', fileIndex: block.fileIndex, block: block.block, digest: block.digest });
    this.chainBlock(block.fileIndex, block.block, block.digest);
  }

  /** A damaged block: forget its chunks and ask for them again, a bounded number of times. */
  private repairBlock(block: BlockState): void {
    const plan = this.plan as TransferPlan;
    const attempts = (this.blockRepairs.get(block.firstGlobal) ?? 0) + 1;
    const path = plan.entries[block.fileIndex]?.path;
    if (attempts > (this.options.maxBlockRepairs ?? DEFAULT_MAX_BLOCK_REPAIRS)) {
      return this.failWith(
        'FILE_DIGEST_MISMATCH',
        `"${path}" keeps arriving damaged (block ${block.block} did not match the sender's digest ${attempts} times).`,
      );
    }
    this.blockRepairs.set(block.firstGlobal, attempts);
    const chunks = block.end - block.first;
    this.have.fill(MISSING, block.firstGlobal, block.firstGlobal + chunks);
    for (let c = block.first; c < block.end; c++) this.bytesReceived -= plan.chunkLength(block.fileIndex, c);
    // They arrived once (or were held from before): un-count them, so the resend counts as in
    // flight (see sendGaps).
    if (this.restoredBlocks.delete(block.firstGlobal)) this.restored -= chunks;
    else this.arrived -= chunks;
    this.haveFrontier = Math.min(this.haveFrontier, block.firstGlobal);
    this.sendGaps(Array.from({ length: chunks }, (_, i) => block.firstGlobal + i));
  }

  private chainBlock(fileIndex: number, block: number, digest: string): void {
    const offer = this.offer as IncomingOffer;
    let file = this.chains.get(fileIndex);
    if (!file) {
      file = { chain: new FileDigestChain(this.options.createHasher, offer.digest), ahead: new Map() };
      this.chains.set(fileIndex, file);
    }
    file.ahead.set(block, digest);
    for (let next = file.ahead.get(file.chain.blocks); next !== undefined; next = file.ahead.get(file.chain.blocks)) {
      file.ahead.delete(file.chain.blocks);
      file.chain.add(next);
    }
    const blocks = blockCount((this.plan as TransferPlan).chunkCounts[fileIndex] ?? 0, offer.blockChunks);
    if (file.chain.blocks < blocks) return;
    this.chains.delete(fileIndex);
    this.localDigests.set(fileIndex, file.chain.digest());
    this.maybeFinalize(fileIndex);
  }

  /** Keeps held + in flight at the window, granting in batches to keep control traffic low. */
  private maybeGrant(): void {
    if (this.stateValue !== 'receiving') return;
    const inFlight = Math.max(0, this.granted - this.arrived - this.declaredLost);
    const room = this.window - this.held.size - inFlight;
    if (room >= Math.max(1, this.window >> 2)) this.grant(room);
  }

  private grant(chunks: number): void {
    const remaining = (this.plan?.totalChunks ?? 0) - this.restored - this.arrived;
    const useful = Math.min(chunks, Math.max(0, remaining - Math.max(0, this.granted - this.arrived - this.declaredLost)));
    if (useful <= 0) return;
    this.granted += useful;
    this.options.sendControl({ type: 'credit', transferId: this.transferId, chunks: useful });
  }

  private maybeFinalize(fileIndex: number): void {
    const plan = this.plan;
    if (!plan || this.done.has(fileIndex) || this.finalizing.has(fileIndex) || this.stateValue !== 'receiving') return;
    const chunks = plan.chunkCounts[fileIndex] ?? 0;
    const local = chunks === 0 ? this.emptyDigest() : this.localDigests.get(fileIndex);
    const remote = this.remoteDigests.get(fileIndex);
    if (local === undefined || remote === undefined || (this.pendingWrites.get(fileIndex) ?? 0) > 0) return;
    if (local !== remote) {
      // Every block matched its digest, so the sender's file digest disagrees with its own blocks.
      return this.failWith('FILE_DIGEST_MISMATCH', `"${plan.entries[fileIndex]?.path}": the sender's file digest does not match its block digests.`);
    }
    this.finalizing.add(fileIndex);
    this.options.onAction({ type: 'finalize', fileIndex });
  }

  private emptyDigest(): string {
    return emptyFileDigest(this.options.createHasher, (this.offer as IncomingOffer).digest);
  }

  private checkAllDone(): void {
    if (this.stateValue !== 'receiving' || this.done.size < this.filesTotal) return;
    this.repair?.stop();
    this.stateValue = 'completed';
    this.options.sendControl({ type: 'complete', transferId: this.transferId });
    this.options.onEvent({ type: 'completed' });
  }

  private sendGaps(missing: number[]): void {
    const plan = this.plan as TransferPlan;
    const byFile = new Map<number, [number, number][]>();
    for (const g of missing) {
      const { fileIndex, chunkIndex } = plan.locate(g);
      const ranges = byFile.get(fileIndex) ?? [];
      const last = ranges[ranges.length - 1];
      if (last && last[1] === chunkIndex) last[1]++;
      else ranges.push([chunkIndex, chunkIndex + 1]);
      byFile.set(fileIndex, ranges);
    }
    for (const [fileIndex, ranges] of byFile) {
      for (let i = 0; i < ranges.length; i += 256) {
        const page = ranges.slice(i, i + 256);
        const count = page.reduce((n, [a, b]) => n + (b - a), 0);
        // A reported chunk was granted once and never arrived: it is lost, and the report
        // grants its resend.
        this.declaredLost += count;
        this.granted += count;
        this.options.sendControl({ type: 'gaps', transferId: this.transferId, fileIndex, ranges: page });
      }
    }
  }

  /** A data frame that lies (about its chunk, file or length): the peer's failure, said as such. */
  private frameError(detail: string): void {
    this.failWith('DATA_FRAME_INVALID', `The other device sent data Ferry could not accept (${detail})`);
  }

  private protocolError(detail: string): void {
    this.failWith('TRANSFER_PROTOCOL', `The sender broke the transfer protocol: ${detail}`);
  }

  private failWith(code: FerryErrorCode, message: string): void {
    if (this.isFinished()) return;
    const error = new FerryError(code, message);
    this.options.sendControl({ type: 'cancel', transferId: this.transferId, from: 'receiver', code, message: message.slice(0, 1000) });
    this.finishWith('failed', { type: 'failed', error });
  }

  private finishWith(state: 'cancelled' | 'failed' | 'interrupted', event: ReceiverEvent): void {
    const wasReceiving = this.stateValue === 'receiving';
    this.stateValue = state;
    this.repair?.stop();
    this.held.clear();
    this.blocks.clear();
    this.remoteBlockDigests.clear();
    this.chains.clear();
    if (wasReceiving) this.options.onAction({ type: state === 'interrupted' ? 'suspend' : 'abort' });
    this.options.onEvent(event);
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
