import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeliveryMode, DELIVERY_MODES, encodeDataFrame } from '../../../src-core/index.js';
import type { ConformancePeer } from './peer.js';

/**
 * One conformance suite for the transfer engine, run over every channel implementation: in
 * memory (with injected faults), @roamhq/wrtc between two lab hosts, and Chromium. Each run gets
 * two connected peers; the suite sends real files and compares what lands on disk byte for byte.
 */
export interface ConformanceLink {
  a: ConformancePeer;
  b: ConformancePeer;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  /** Two connected peers whose download folders live under `root`. */
  createLink: (root: string) => Promise<ConformanceLink>;
  modes?: readonly DeliveryMode[];
  /** The large file's size: bigger for fast links. */
  largeFileBytes?: number;
  timeoutMs?: number;
  /** What a peer's file picking can express; all true unless said otherwise. */
  capabilities?: { emptyFoldersFromPicker?: boolean };
}

/** Writes a tree: path → size, or null for an empty folder. Modification times are set. */
export async function makeTree(dir: string, spec: Record<string, number | null>): Promise<void> {
  for (const [path, size] of Object.entries(spec)) {
    const target = join(dir, path);
    if (size === null) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, randomBytes(size));
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5) + size);
    await utimes(target, when, when);
  }
}

/** Every file and folder under dir, with contents and mtimes, for byte-for-byte comparison. */
export async function snapshot(dir: string): Promise<Record<string, { bytes?: string; mtime?: number }>> {
  const out: Record<string, { bytes?: string; mtime?: number }> = {};
  const walk = async (abs: string, rel: string) => {
    for (const name of (await readdir(abs)).sort()) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const info = await stat(childAbs);
      if (info.isDirectory()) {
        out[`${childRel}/`] = {};
        await walk(childAbs, childRel);
      } else {
        out[childRel] = { bytes: (await readFile(childAbs)).toString('base64'), mtime: Math.floor(info.mtimeMs) };
      }
    }
  };
  await walk(dir, '');
  return out;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Bounds a wait with a message that says what did not happen. */
async function within<T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lets the receiver's clean-up (removing partial files) finish before looking at the disk. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
}

export function defineTransferConformance(name: string, options: ConformanceOptions): void {
  const modes = options.modes ?? DELIVERY_MODES;
  const firstMode = modes[0] as DeliveryMode;
  const large = options.largeFileBytes ?? 3 * 1024 * 1024 + 12_345;
  const timeout = options.timeoutMs ?? 60_000;

  describe(`transfer conformance: ${name}`, () => {
    let link: ConformanceLink;
    let work: string;
    let root: string;
    let a: ConformancePeer;
    let b: ConformancePeer;

    async function setup(): Promise<void> {
      root = await mkdtemp(join(tmpdir(), 'ferry-conformance-'));
      work = join(root, 'sources');
      await mkdir(work);
      link = await options.createLink(root);
      ({ a, b } = link);
    }

    afterEach(async () => {
      await link?.close().catch(() => {});
      if (root) await rm(root, { recursive: true, force: true });
    });

    for (const mode of modes) {
      it(`sends a file byte for byte (${mode})`, { timeout }, async () => {
        await setup();
        await makeTree(work, { 'video.bin': large });
        const id = await a.send([join(work, 'video.bin')], { mode, chunkSize: 16 * 1024 });
        expect(await a.outcome(id)).toEqual({ ok: true });
        expect(await b.outcome('incoming')).toEqual({ ok: true });
        expect(await snapshot(b.downloadDir)).toEqual(await snapshot(work));
      });
    }

    it('sends many files and folders, with empty files and empty folders, keeping paths and times', { timeout }, async () => {
      await setup();
      await makeTree(work, {
        'Photos/2026/a.jpg': 200_000,
        'Photos/2026/b.jpg': 65_536,
        'Photos/empty.txt': 0,
        ...(options.capabilities?.emptyFoldersFromPicker === false ? {} : { 'Photos/Nothing here': null }),
        'Photos/deep/er/still/c.raw': 131_073,
        'notes.txt': 1234,
        'zero.bin': 0,
      });
      const id = await a.send([join(work, 'Photos'), join(work, 'notes.txt'), join(work, 'zero.bin')], { mode: firstMode });
      expect(await a.outcome(id)).toEqual({ ok: true });
      expect(await snapshot(b.downloadDir)).toEqual(await snapshot(work));
    });

    it('sends both ways at once', { timeout }, async () => {
      await setup();
      await makeTree(work, { 'from-alice.bin': 500_000, 'from-bob.bin': 400_000 });
      const one = await a.send([join(work, 'from-alice.bin')], { mode: firstMode });
      const two = await b.send([join(work, 'from-bob.bin')], { mode: firstMode });
      expect(await Promise.all([a.outcome(one), b.outcome(two)])).toEqual([{ ok: true }, { ok: true }]);
      const sources = await snapshot(work);
      expect(await snapshot(b.downloadDir)).toEqual({ 'from-alice.bin': sources['from-alice.bin'] });
      expect(await snapshot(a.downloadDir)).toEqual({ 'from-bob.bin': sources['from-bob.bin'] });
    });

    it('never overwrites: a name that exists gets a number', { timeout }, async () => {
      await setup();
      await makeTree(work, { 'report.pdf': 10_000, 'Album/x.jpg': 1000 });
      await writeFile(join(b.downloadDir, 'report.pdf'), 'already here');
      await mkdir(join(b.downloadDir, 'Album'));
      const id = await a.send([join(work, 'report.pdf'), join(work, 'Album')], { mode: firstMode });
      expect(await a.outcome(id)).toEqual({ ok: true });
      const received = await snapshot(b.downloadDir);
      const sources = await snapshot(work);
      expect(received['report.pdf']?.bytes).toBe(Buffer.from('already here').toString('base64'));
      expect(received['report (1).pdf']).toEqual(sources['report.pdf']);
      expect(received['Album (1)/x.jpg']).toEqual(sources['Album/x.jpg']);
    });

    it('a declined offer writes nothing and tells the sender why', { timeout }, async () => {
      await setup();
      await b.setPolicy('decline');
      await makeTree(work, { 'unwanted.bin': 10_000 });
      const id = await a.send([join(work, 'unwanted.bin')], { mode: firstMode });
      const outcome = await a.outcome(id);
      expect(outcome).toMatchObject({ ok: false, code: 'TRANSFER_DECLINED' });
      expect(!outcome.ok && outcome.message).toContain('Not now, thanks.');
      expect(await readdir(b.downloadDir)).toEqual([]);
    });

    for (const side of ['sender', 'receiver'] as const) {
      it(`the ${side} cancels mid-transfer: both stop, no final file, no partial file`, { timeout }, async () => {
        await setup();
        await makeTree(work, { 'big.bin': large });
        const id = await a.send([join(work, 'big.bin')], { mode: firstMode, chunkSize: 16 * 1024 });
        await waitUntil(async () => (await a.bytesSent(id)) > 64 * 1024, 'some bytes are sent');
        await (side === 'sender' ? a.cancel(id) : b.cancel('incoming'));
        expect(await a.outcome(id)).toMatchObject({ ok: false, code: 'TRANSFER_CANCELLED' });
        expect(await b.outcome('incoming')).toMatchObject({ ok: false, code: 'TRANSFER_CANCELLED' });
        await settle();
        expect(await readdir(b.downloadDir)).toEqual([]);
      });
    }

    it('refuses an offer with a hostile name, writes nothing, and says why', { timeout }, async () => {
      await setup();
      await a.injectControl({
        type: 'offer',
        transferId: 4242,
        mode: firstMode,
        chunkSize: 16_384,
        digest: 'xxh128',
        blockChunks: 64,
        totalEntries: 1,
        totalBytes: 10,
        entries: [{ kind: 'file', path: '../../.bashrc', size: 10, mtime: 0 }],
      });
      await waitUntil(async () => (await a.controlSeen()).some((m) => m.type === 'decline'), 'the offer is declined');
      expect((await a.controlSeen()).find((m) => m.type === 'decline')).toMatchObject({
        transferId: 4242,
        code: 'PATH_INVALID',
        message: expect.stringMatching(/points outside its folder/),
      });
      expect(await readdir(b.downloadDir)).toEqual([]);
      expect(await readdir(root)).toEqual(expect.arrayContaining(['sources']));
    });

    it('fails a transfer whose data frame lies about its chunk, and removes what it wrote', { timeout }, async () => {
      await setup();
      await a.injectDataOnAccept(firstMode, [
        encodeDataFrame({ transferId: 77, fileIndex: 0, chunkIndex: 0 }, new Uint8Array(16_384)),
        encodeDataFrame({ transferId: 77, fileIndex: 0, chunkIndex: 999 }, new Uint8Array(16_384)),
      ]);
      await a.injectControl({
        type: 'offer',
        transferId: 77,
        mode: firstMode,
        chunkSize: 16_384,
        digest: 'xxh128',
        blockChunks: 64,
        totalEntries: 1,
        totalBytes: 40_000,
        entries: [{ kind: 'file', path: 'innocent.bin', size: 40_000, mtime: 0 }],
      });
      expect(await b.outcome('incoming')).toMatchObject({ ok: false, code: 'DATA_FRAME_INVALID' });
      await waitUntil(async () => (await a.controlSeen()).some((m) => m.type === 'cancel'), 'the sender is told');
      expect((await a.controlSeen()).find((m) => m.type === 'cancel')).toMatchObject({ transferId: 77, from: 'receiver', code: 'DATA_FRAME_INVALID' });
      await settle();
      expect(await readdir(b.downloadDir)).toEqual([]);
    });

    it('asks again for a block whose digest does not match, and keeps it off the final name', { timeout }, async () => {
      await setup();
      const chunk = 16_384;
      const bytes = randomBytes(3 * chunk);
      // A reliable channel: this fake sender cannot resend what a lossy one drops.
      const mode = modes.find((m) => m !== 'partial') ?? firstMode;
      await a.injectDataOnAccept(
        mode,
        [0, 1, 2].map((c) => encodeDataFrame({ transferId: 78, fileIndex: 0, chunkIndex: c }, bytes.subarray(c * chunk, (c + 1) * chunk))),
      );
      await a.injectControl({
        type: 'offer',
        transferId: 78,
        mode,
        chunkSize: chunk,
        digest: 'xxh128',
        blockChunks: 64,
        totalEntries: 1,
        totalBytes: bytes.length,
        entries: [{ kind: 'file', path: 'tampered.bin', size: bytes.length, mtime: 0 }],
      });
      await waitUntil(async () => (await a.controlSeen()).some((m) => m.type === 'accept' && m.transferId === 78), 'the offer is accepted');
      // The data is fine; the sender's digest for its one block claims otherwise.
      await a.injectControl({ type: 'block-digest', transferId: 78, fileIndex: 0, block: 0, digest: '0123456789abcdef0123456789abcdef' });
      await waitUntil(async () => (await a.controlSeen()).some((m) => m.type === 'gaps'), 'the block is asked for again');
      expect((await a.controlSeen()).find((m) => m.type === 'gaps')).toEqual({ type: 'gaps', transferId: 78, fileIndex: 0, ranges: [[0, 3]] });
      await a.injectControl({ type: 'cancel', transferId: 78, from: 'sender', code: 'TRANSFER_CANCELLED', message: 'enough' });
      expect(await b.outcome('incoming')).toMatchObject({ ok: false, code: 'TRANSFER_CANCELLED' });
      await settle();
      expect(await readdir(b.downloadDir)).toEqual([]);
    });

    it('a dropped connection fails both sides and leaves no partial file', { timeout }, async () => {
      await setup();
      await makeTree(work, { 'big.bin': large });
      const id = await a.send([join(work, 'big.bin')], { mode: firstMode, chunkSize: 16 * 1024 });
      await waitUntil(async () => (await a.bytesSent(id)) > 64 * 1024, 'some bytes are sent');
      await a.closeControl();
      expect(await within(a.outcome(id), 'the sender to notice')).toMatchObject({ ok: false, code: 'CHANNEL_CLOSED' });
      expect(await within(b.outcome('incoming'), 'the receiver to notice')).toMatchObject({ ok: false, code: 'CHANNEL_CLOSED' });
      await settle();
      expect(await readdir(b.downloadDir)).toEqual([]);
    });
  });
}
