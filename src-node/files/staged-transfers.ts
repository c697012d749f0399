import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { blockCount, type HasherFactory, type IncomingOffer, type ReceiverResume } from '../../src-core/index.js';
import { STAGING_PREFIX } from './node-file-sink.js';
import { JOURNAL_FILE, JournalUnreadable, OFFER_FILE, readJournalFile, StagedOffer, StagedProgress } from './transfer-journal.js';

/** A staging folder set aside because its journal could not be trusted. */
export const UNREADABLE_PREFIX = '.ferry-unreadable-';

/** An interrupted download found in the download folder, with its journal. */
export interface StagedTransfer {
  dir: string;
  offer: StagedOffer;
  progress: StagedProgress;
}

/**
 * What the download folder holds of interrupted transfers, tidied on the way (SPEC.md, "The
 * receiver's journal"): staging without a journal is removed (a transfer that was never
 * resumable), one whose journal cannot be read is set aside with a warning, and anything older
 * than `keepMs` goes.
 */
export async function scanStaging(
  downloadDir: string,
  options: {
    keepMs: number;
    now: number;
    warn: (message: string) => void;
    /**
     * Remove and set aside what cannot resume: only at start, when no transfer is running (a
     * running one's staging may have no journal: not resumable, or not written yet).
     */
    tidy: boolean;
  },
): Promise<StagedTransfer[]> {
  let names: string[];
  try {
    names = await readdir(downloadDir);
  } catch {
    return [];
  }
  const found: StagedTransfer[] = [];
  for (const name of names) {
    const dir = join(downloadDir, name);
    if (name.startsWith(UNREADABLE_PREFIX)) {
      if (!options.tidy) continue;
      const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: options.now }));
      if (options.now - mtimeMs > options.keepMs) await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const staged = await readStaged(dir).catch((error: unknown) => error as Error);
    if (!options.tidy) {
      if (!(staged instanceof Error)) found.push(staged);
      continue;
    }
    if (staged instanceof JournalUnreadable && /cannot be read/.test(staged.message) && !(await hasFile(dir, OFFER_FILE))) {
      // Never resumable (no journal at all): a crash's leftovers.
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (staged instanceof Error) {
      const aside = join(downloadDir, `${UNREADABLE_PREFIX}${name.slice(STAGING_PREFIX.length)}`);
      await rename(dir, aside).catch(() => rm(dir, { recursive: true, force: true }));
      options.warn(`An interrupted download's journal could not be trusted (${staged.message}); its partial files were set aside in ${aside} and will not be resumed.`);
      continue;
    }
    if (options.now - staged.progress.updatedAt > options.keepMs) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    found.push(staged);
  }
  return found;
}

export async function readStaged(dir: string): Promise<StagedTransfer> {
  const offer = await readJournalFile(dir, OFFER_FILE, StagedOffer);
  const progress = await readJournalFile(dir, JOURNAL_FILE, StagedProgress);
  return { dir, offer, progress };
}

/**
 * Whether a resumed offer continues this staged transfer: the same entries (paths and kinds),
 * chunk size, block size and digest. Files whose size or modification time changed start over.
 */
export function matchStaged(staged: StagedTransfer, offer: IncomingOffer): { restart: number[] } | undefined {
  const before = staged.offer;
  if (offer.chunkSize !== before.chunkSize || offer.blockChunks !== before.blockChunks || offer.digest !== before.digest) return undefined;
  if (offer.entries.length !== before.entries.length) return undefined;
  const restart: number[] = [];
  for (const [index, entry] of offer.entries.entries()) {
    const old = before.entries[index];
    if (!old || old.kind !== entry.kind || old.path !== entry.path) return undefined;
    if (entry.kind === 'file' && old.kind === 'file' && (entry.size !== old.size || entry.mtime !== old.mtime)) restart.push(index);
  }
  return { restart };
}

/**
 * What the staged transfer still holds, checked against the bytes on disk: each block the
 * journal calls verified is read back and hashed again; only blocks that still match count.
 */
export async function heldBlocks(staged: StagedTransfer, createHasher: HasherFactory, skip: ReadonlySet<number> = new Set()): Promise<ReceiverResume> {
  const { offer, progress, dir } = staged;
  const blockBytes = offer.chunkSize * offer.blockChunks;
  const blocks = new Map<number, Map<number, string>>();
  const byFile = new Map<number, Array<[number, string]>>();
  for (const [fileIndex, block, digest] of progress.blocks) {
    if (skip.has(fileIndex)) continue;
    const list = byFile.get(fileIndex) ?? [];
    list.push([block, digest]);
    byFile.set(fileIndex, list);
  }
  for (const [fileIndex, list] of byFile) {
    const entry = offer.entries[fileIndex];
    if (entry?.kind !== 'file') continue;
    const count = blockCount(Math.ceil(entry.size / offer.chunkSize), offer.blockChunks);
    const file = await open(join(dir, `${fileIndex}.part`), 'r').catch(() => undefined);
    if (!file) continue;
    try {
      const buffer = new Uint8Array(blockBytes);
      for (const [block, digest] of list) {
        if (block >= count) continue;
        const length = Math.min(blockBytes, entry.size - block * blockBytes);
        const { bytesRead } = await file.read(buffer, 0, length, block * blockBytes);
        if (bytesRead !== length) continue; // truncated: asked for again
        const hasher = createHasher(offer.digest);
        hasher.update(buffer.subarray(0, length));
        if (hasher.digest() !== digest) continue; // damaged: asked for again
        let held = blocks.get(fileIndex);
        if (!held) blocks.set(fileIndex, (held = new Map()));
        held.set(block, digest);
      }
    } finally {
      await file.close();
    }
  }
  const complete = progress.done.map(([fileIndex]) => fileIndex).filter((fileIndex) => !skip.has(fileIndex));
  return { complete, blocks };
}

async function hasFile(dir: string, name: string): Promise<boolean> {
  return stat(join(dir, name)).then(
    () => true,
    () => false,
  );
}
