import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHashWasmHasherFactory, type HasherFactory, type IncomingOffer, type ManifestEntry } from '../../src-core/index.js';
import { NodeFileSink, type ResumableOffer } from './node-file-sink.js';
import { heldBlocks, matchStaged, readStaged, scanStaging, UNREADABLE_PREFIX } from './staged-transfers.js';
import { JOURNAL_FILE } from './transfer-journal.js';

const CHUNK = 1024;
const BLOCK_CHUNKS = 4;
const BLOCK = CHUNK * BLOCK_CHUNKS;
const DAY = 24 * 3600 * 1000;

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

let downloads: string;
beforeEach(async () => {
  downloads = await mkdtemp(join(tmpdir(), 'ferry-staged-'));
});
afterEach(async () => {
  await rm(downloads, { recursive: true, force: true });
});

const digestOf = (bytes: Uint8Array) => {
  const h = hasher('xxh128');
  h.update(bytes);
  return h.digest();
};

const entries: ManifestEntry[] = [
  { kind: 'file', path: 'big.bin', size: 10 * BLOCK + 100, mtime: 1_700_000_000_000 },
  { kind: 'directory', path: 'folder' },
  { kind: 'file', path: 'folder/small.txt', size: 12, mtime: 1_700_000_000_000 },
];
const resumable: ResumableOffer = {
  resumeKey: 'abcdefghijklmnopqrstuv',
  sender: { peerId: 'ferry-aaaaaaaaaaaaaaaa', publicKey: 'a2V5', name: 'Alice' },
  mode: 'reliable-ordered',
  chunkSize: CHUNK,
  blockChunks: BLOCK_CHUNKS,
  digest: 'xxh128',
  entries,
};
const totalBytes = 10 * BLOCK + 100 + 12;
const offerLike = (changes: Partial<IncomingOffer> = {}): IncomingOffer => ({
  transferId: 1,
  mode: 'reliable-ordered',
  digest: 'xxh128',
  chunkSize: CHUNK,
  blockChunks: BLOCK_CHUNKS,
  entries,
  totalBytes,
  resumeKey: resumable.resumeKey,
  resume: true,
  ...changes,
});

/** A resumable download that got `blocks` blocks of big.bin and the small file, then was suspended. */
async function interrupted(blocks: number) {
  const big = new Uint8Array(randomBytes(10 * BLOCK + 100));
  const before = new Set(await readdir(downloads));
  const sink = await NodeFileSink.create(downloads, { entries, totalBytes }, resumable);
  for (let b = 0; b < blocks; b++) {
    const bytes = big.subarray(b * BLOCK, (b + 1) * BLOCK);
    await sink.write(0, b * BLOCK, bytes);
    await sink.blockVerified(0, b, digestOf(bytes));
  }
  await sink.write(2, 0, new TextEncoder().encode('hello, world'));
  await sink.finalize(2);
  await sink.suspend();
  const [dir] = (await readdir(downloads)).filter((n) => n.startsWith('.ferry-incoming-') && !before.has(n));
  return { big, dir: join(downloads, dir as string) };
}

describe('a resumable download on disk (SPEC.md, "The receiver\'s journal")', () => {
  it('suspended, it keeps its staging and a journal of exactly the durable verified blocks and the finished files', async () => {
    const { dir } = await interrupted(4);
    const staged = await readStaged(dir);
    expect(staged.offer).toMatchObject({ resumeKey: resumable.resumeKey, sender: resumable.sender, entries, topNames: { folder: 'folder' } });
    expect(staged.progress.blocks.map(([f, b]) => [f, b])).toEqual([[0, 0], [0, 1], [0, 2], [0, 3]]);
    expect(staged.progress.done).toEqual([[2, join(downloads, 'folder', 'small.txt')]]);
    // Nothing under big.bin's final name: it is not done.
    expect(await readdir(downloads)).not.toContain('big.bin');
    const held = await heldBlocks(staged, hasher);
    expect(held.complete).toEqual([2]);
    expect([...(held.blocks.get(0)?.keys() ?? [])]).toEqual([0, 1, 2, 3]);
  });

  it('never trusts the journal over the bytes: a truncated or damaged staging file holds only its good blocks', async () => {
    const { dir } = await interrupted(5);
    const part = join(dir, '0.part');
    const bytes = await readFile(part);
    bytes[BLOCK + 7] = (bytes[BLOCK + 7] ?? 0) ^ 0x55; // block 1 damaged
    await writeFile(part, bytes);
    await truncate(part, 3 * BLOCK + 10); // blocks 3 and 4 cut short
    const held = await heldBlocks(await readStaged(dir), hasher);
    expect([...(held.blocks.get(0)?.keys() ?? [])]).toEqual([0, 2]);
  });

  it('reopened for its resume, it writes into the same staging and lands the file under its final name, then leaves nothing', async () => {
    const { big, dir } = await interrupted(3);
    const staged = await readStaged(dir);
    const sink = NodeFileSink.reopen(downloads, dir, staged.offer, staged.progress);
    for (let offset = 3 * BLOCK; offset < big.length; offset += BLOCK) await sink.write(0, offset, big.subarray(offset, Math.min(big.length, offset + BLOCK)));
    await sink.finalize(0);
    expect(Buffer.from(await readFile(join(downloads, 'big.bin'))).equals(Buffer.from(big))).toBe(true);
    expect(sink.complete).toBe(true);
    expect((await readdir(downloads)).sort()).toEqual(['big.bin', 'folder']);
  });

  it('discarded, it removes its staging and journal; finished files stay', async () => {
    const { dir } = await interrupted(2);
    const staged = await readStaged(dir);
    await NodeFileSink.reopen(downloads, dir, staged.offer, staged.progress).abort();
    expect((await readdir(downloads)).sort()).toEqual(['folder']);
    expect(await readdir(join(downloads, 'folder'))).toEqual(['small.txt']);
  });

  it('matches a resumed offer only with the same entries and sizes of chunk, block and digest; changed files start over', () => {
    const staged = { dir: '', offer: { version: 1 as const, ...resumable, createdAt: 0, topNames: {} }, progress: { version: 1 as const, updatedAt: 0, blocks: [], done: [] } };
    expect(matchStaged(staged, offerLike())).toEqual({ restart: [] });
    const changed = entries.map((e, i) => (i === 0 && e.kind === 'file' ? { ...e, mtime: e.mtime + 1 } : e));
    expect(matchStaged(staged, offerLike({ entries: changed }))).toEqual({ restart: [0] });
    expect(matchStaged(staged, offerLike({ chunkSize: 2048 }))).toBeUndefined();
    expect(matchStaged(staged, offerLike({ entries: entries.map((e, i) => (i === 2 ? { ...e, path: 'folder/other.txt' } : e)) }))).toBeUndefined();
    expect(matchStaged(staged, offerLike({ entries: entries.slice(0, 2) }))).toBeUndefined();
  });

  it('at start: lists what can resume, removes staging without a journal and anything too old, sets aside an unreadable journal with a warning', async () => {
    const { dir: good } = await interrupted(2);
    const { dir: broken } = await interrupted(1);
    await writeFile(join(broken, JOURNAL_FILE), '{"version":1,"blocks":"lies"}');
    const { dir: old } = await interrupted(1);
    const stale = await readStaged(old);
    await writeFile(join(old, JOURNAL_FILE), JSON.stringify({ ...stale.progress, updatedAt: Date.now() - 8 * DAY }));
    const crashed = join(downloads, '.ferry-incoming-crashed');
    await mkdir(crashed);
    await writeFile(join(crashed, '0.part'), 'partial bytes of a transfer that was never resumable');
    const oldAside = join(downloads, `${UNREADABLE_PREFIX}ancient`);
    await mkdir(oldAside);
    await utimes(oldAside, new Date(Date.now() - 9 * DAY), new Date(Date.now() - 9 * DAY));

    const warnings: string[] = [];
    // Looking (while transfers may run) touches nothing.
    const looked = await scanStaging(downloads, { keepMs: 7 * DAY, now: Date.now(), warn: (m) => warnings.push(m), tidy: false });
    expect(looked.map((s) => s.dir).sort()).toEqual([good, old].sort());
    expect(await readdir(downloads)).toContain('.ferry-incoming-crashed');
    expect(warnings).toEqual([]);
    const found = await scanStaging(downloads, { keepMs: 7 * DAY, now: Date.now(), warn: (m) => warnings.push(m), tidy: true });
    expect(found.map((s) => s.dir)).toEqual([good]);
    const left = await readdir(downloads);
    expect(left).not.toContain('.ferry-incoming-crashed');
    expect(left.filter((n) => n.startsWith('.ferry-incoming-'))).toEqual([good.slice(downloads.length + 1)]);
    expect(left.filter((n) => n.startsWith(UNREADABLE_PREFIX))).toHaveLength(1);
    expect(left).not.toContain(`${UNREADABLE_PREFIX}ancient`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not be trusted .*schema.*set aside/);
  });
});
