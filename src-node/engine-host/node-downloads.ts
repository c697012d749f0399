import { mkdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSink, HasherFactory, IncomingOffer } from '../../src-core/index.js';
import type { DownloadsPort, InterruptedDownload, TransferOrigin } from '../../src-engine/index.js';
import { NodeFileSink, spaceFor } from '../files/node-file-sink.js';
import { heldBlocks, matchStaged, scanStaging, type StagedTransfer } from '../files/staged-transfers.js';
import { writeAtomically, OFFER_FILE } from '../files/transfer-journal.js';

const DAY_MS = 24 * 3600 * 1000;

export interface NodeDownloadsOptions {
  /** Asked at each offer: a folder chosen in Settings applies to the next transfer. */
  downloadDir: () => Promise<string>;
  /** Hears each verified file's path. */
  fileSaved?: (path: string) => void;
  createHasher: HasherFactory;
  warn?: (message: string) => void;
  now?: () => number;
}

/**
 * Received files straight to disk, next to the engine: staged as `.part` files, fsynced, renamed
 * atomically once verified (NodeFileSink). A resumable offer is journaled; an interrupted one is
 * found again, checked against the disk, and reopened when its sender offers it again.
 */
export function nodeDownloads(options: NodeDownloadsOptions): DownloadsPort {
  const now = options.now ?? Date.now;
  const fileSaved = options.fileSaved ?? (() => {});
  const folder = async () => {
    const dir = await options.downloadDir();
    await mkdir(dir, { recursive: true });
    return dir;
  };
  // Only a tidy (at start) removes anything, and it is told how long to keep interrupted downloads.
  const staged = async (dir: string, keepDays?: number): Promise<StagedTransfer[]> =>
    scanStaging(dir, { keepMs: (keepDays ?? Number.POSITIVE_INFINITY) * DAY_MS, now: now(), warn: options.warn ?? (() => {}), tidy: keepDays !== undefined });
  /** Bytes the staged transfers (running or interrupted) still have to write. */
  const stillToWrite = (list: StagedTransfer[]) => list.reduce((n, s) => n + Math.max(0, sizeOfAll(s) - heldBytes(s)), 0);
  const find = async (dir: string, peerId: string, resumeKey: string) => (await staged(dir)).find((s) => s.offer.sender.peerId === peerId && s.offer.resumeKey === resumeKey);
  const wrap = (sink: NodeFileSink, saved: (fileIndex: number, path: string) => void): FileSink => ({
    write: (fileIndex, offset, bytes) => sink.write(fileIndex, offset, bytes),
    finalize: async (fileIndex) => {
      await sink.finalize(fileIndex);
      const path = sink.savedFiles.get(fileIndex);
      if (path === undefined) return;
      fileSaved(path);
      saved(fileIndex, path);
    },
    abort: () => sink.abort(),
    blockVerified: (fileIndex, block, digest) => sink.blockVerified(fileIndex, block, digest),
    suspend: () => sink.suspend(),
  });
  return {
    checkSpace: async (totalBytes) => {
      const dir = await folder();
      // Staging counts: interrupted and running downloads will need the rest of their bytes.
      const reserved = stillToWrite(await staged(dir));
      const space = await spaceFor(dir, totalBytes + reserved);
      return { fits: space.fits, availableBytes: Math.max(0, space.availableBytes - reserved), downloadDir: dir };
    },
    openSink: async (offer, saved, origin) => {
      const dir = await folder();
      const resumable = offer.resumeKey !== undefined && origin ? { resumeKey: offer.resumeKey, sender: origin, mode: offer.mode, chunkSize: offer.chunkSize, blockChunks: offer.blockChunks, digest: offer.digest, entries: [...offer.entries] } : undefined;
      return wrap(await NodeFileSink.create(dir, offer, resumable, now), saved);
    },
    resumeSink: async (offer: IncomingOffer, saved, origin: TransferOrigin) => {
      if (offer.resumeKey === undefined) return undefined;
      const dir = await folder();
      const found = await find(dir, origin.peerId, offer.resumeKey);
      // Only the same identity resumes its transfer; anyone else's offer is a new one.
      if (!found || found.offer.sender.publicKey !== origin.publicKey) return undefined;
      const match = matchStaged(found, offer);
      if (!match) {
        await NodeFileSink.reopen(dir, found.dir, found.offer, found.progress, now).abort();
        return undefined;
      }
      const restart = new Set(match.restart);
      if (restart.size > 0) {
        // Files that changed at the source start over: their staging emptied, the journal's record of them gone.
        for (const fileIndex of restart) await truncate(join(found.dir, `${fileIndex}.part`), 0).catch(() => {});
        found.offer = { ...found.offer, entries: [...offer.entries] };
        found.progress = { ...found.progress, blocks: found.progress.blocks.filter(([f]) => !restart.has(f)), done: found.progress.done.filter(([f]) => !restart.has(f)) };
        await writeAtomically(found.dir, OFFER_FILE, found.offer);
      }
      const resume = await heldBlocks(found, options.createHasher, restart);
      const sink = NodeFileSink.reopen(dir, found.dir, found.offer, found.progress, now);
      return { sink: wrap(sink, saved), resume, restarted: match.restart.map((i) => offer.entries[i]?.path ?? `#${i}`) };
    },
    // At start (nothing runs yet): what can resume is listed, the rest tidied away.
    interrupted: async (keepDays): Promise<InterruptedDownload[]> =>
      (await staged(await folder(), keepDays)).map((s) => ({ origin: s.offer.sender, resumeKey: s.offer.resumeKey, entries: s.offer.entries, bytesHeld: heldBytes(s) })),
    discard: async (peerId, resumeKey) => {
      const dir = await folder();
      const found = await find(dir, peerId, resumeKey);
      if (found) await NodeFileSink.reopen(dir, found.dir, found.offer, found.progress, now).abort();
    },
  };
}

function sizeOf(staged: StagedTransfer, fileIndex: number): number {
  const entry = staged.offer.entries[fileIndex];
  return entry?.kind === 'file' ? entry.size : 0;
}

function sizeOfAll(staged: StagedTransfer): number {
  return staged.offer.entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
}

/** Bytes a staged transfer holds verified: its finished files and its journaled blocks. */
function heldBytes(staged: StagedTransfer): number {
  const blockBytes = staged.offer.chunkSize * staged.offer.blockChunks;
  const done = staged.progress.done.reduce((n, [f]) => n + sizeOf(staged, f), 0);
  const blocks = staged.progress.blocks.reduce((n, [f, block]) => n + Math.max(0, Math.min(blockBytes, sizeOf(staged, f) - block * blockBytes)), 0);
  return done + blocks;
}
