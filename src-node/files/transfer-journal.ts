import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DELIVERY_MODES, DIGEST_ALGORITHMS, ManifestEntry, MAX_BLOCK_CHUNKS, MAX_CHUNK_BYTES, MIN_CHUNK_BYTES, RESUME_KEY_PATTERN } from '../../src-core/index.js';

/*
 * The receiver's journal of a resumable transfer (SPEC.md, "The receiver's journal"), in two
 * files beside the staging files: `offer.json`, written once (who sent what, and where it goes),
 * and `journal.json`, rewritten as blocks become durable (what is verified). Both are written
 * atomically and read back through a schema: a journal is never trusted unread.
 */

export const JOURNAL_VERSION = 1;
export const OFFER_FILE = 'offer.json';
export const JOURNAL_FILE = 'journal.json';

const hexDigest = z.string().regex(/^[0-9a-f]{16,128}$/);
const index = z.number().int().nonnegative();

export const StagedOffer = z.strictObject({
  version: z.literal(JOURNAL_VERSION),
  resumeKey: z.string().regex(RESUME_KEY_PATTERN),
  sender: z.strictObject({ peerId: z.string().max(64), publicKey: z.string().max(64), name: z.string().max(256) }),
  createdAt: index,
  mode: z.enum(DELIVERY_MODES),
  chunkSize: z.number().int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES),
  blockChunks: z.number().int().min(1).max(MAX_BLOCK_CHUNKS),
  digest: z.enum(DIGEST_ALGORITHMS),
  entries: z.array(ManifestEntry),
  /** Top-level names of the offer → the unique names reserved for them in the download folder. */
  topNames: z.record(z.string(), z.string()),
});
export type StagedOffer = z.infer<typeof StagedOffer>;

export const StagedProgress = z.strictObject({
  version: z.literal(JOURNAL_VERSION),
  updatedAt: index,
  /** Verified, durable blocks: [file index, block, digest]. */
  blocks: z.array(z.tuple([index, index, hexDigest])),
  /** Files verified and in their final place: [file index, final path]. */
  done: z.array(z.tuple([index, z.string()])),
});
export type StagedProgress = z.infer<typeof StagedProgress>;

/** Writes `name` in `dir` so that a reader finds the old contents or the new, never a mix. */
export async function writeAtomically(dir: string, name: string, value: unknown): Promise<void> {
  const temporary = join(dir, `${name}.tmp`);
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(JSON.stringify(value));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, name));
  // The rename itself must survive a crash: sync the folder that holds it.
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export class JournalUnreadable extends Error {
  override readonly name = 'JournalUnreadable';
}

/** Reads and checks one journal file; throws JournalUnreadable with the reason. */
export async function readJournalFile<T>(dir: string, name: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    const file = await open(join(dir, name), 'r');
    try {
      text = await file.readFile('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new JournalUnreadable(`${name} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JournalUnreadable(`${name} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new JournalUnreadable(`${name} does not match its schema: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}

export async function removeJournal(dir: string): Promise<void> {
  await Promise.all([OFFER_FILE, JOURNAL_FILE].map((name) => rm(join(dir, name), { force: true })));
}
