import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatEvent,
  createHashWasmHasherFactory,
  type DeliveryMode,
  DELIVERY_MODES,
  encodeDataFrame,
  type FerryError,
  type HasherFactory,
  type IncomingOffer,
  type PeerChannels,
  PeerSession,
  type ReceiverEvent,
  type Runtime,
  type TransferHandle,
  type TransferMessage,
} from '../../src-core/index.js';
import { NodeFileSink } from '../files/node-file-sink.js';
import { manifestFromPaths, NodeFileSource } from '../files/node-file-source.js';

/**
 * One conformance suite for the transfer engine, run over every channel implementation
 * (in memory with faults, @roamhq/wrtc between lab hosts, Chromium). A link provides two sets of
 * connected channels; the suite runs real sessions, real files and real digests over them.
 */
export interface ConformanceLink {
  runtime: Runtime;
  a: PeerChannels;
  b: PeerChannels;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  createLink: () => Promise<ConformanceLink>;
  /** Modes this link can run (a link with injected loss runs partial mode only where loss is allowed). */
  modes?: readonly DeliveryMode[];
  tuning?: PeerTuning;
  /** Bigger files for faster links. */
  largeFileBytes?: number;
}

interface Peer {
  session: PeerSession;
  incoming: Array<{ offer: IncomingOffer; decide: 'accept' | 'decline' }>;
  downloadDir: string;
  /** How the next incoming offer is answered. */
  policy: (offer: IncomingOffer) => 'accept' | 'decline';
  onAccepted?: () => void;
  /** Handles of incoming transfers, newest last. */
  handles: TransferHandle<ReceiverEvent>[];
  /** Transfer messages this peer received, for tests that play a hostile peer. */
  controlSeen: TransferMessage[];
}

async function connect(link: ConformanceLink, hasher: HasherFactory, tuning: PeerTuning = {}): Promise<{ a: Peer; b: Peer }> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-conformance-'));
  const make = async (name: string, channels: PeerChannels): Promise<{ peer: Peer; opened: Promise<void> }> => {
    const downloadDir = join(root, `${name}-downloads`);
    await mkdir(downloadDir, { recursive: true });
    let resolveOpened!: () => void;
    const opened = new Promise<void>((r) => (resolveOpened = r));
    const peer: Peer = {
      incoming: [],
      downloadDir,
      policy: () => 'accept',
      handles: [],
      controlSeen: [],
      session: undefined as unknown as PeerSession,
    };
    peer.session = new PeerSession({
      runtime: link.runtime,
      deviceName: name,
      createHasher: hasher,
      channels,
      transferTuning: tuning,
      onChatEvent: (event: ChatEvent) => {
        if (event.type === 'opened') resolveOpened();
      },
      onIncoming: (offer, decision, handle) => {
        peer.handles.push(handle);
        const decide = peer.policy(offer);
        peer.incoming.push({ offer, decide });
        if (decide === 'decline') {
          decision.decline('USER_DECLINED', 'Not now, thanks.');
          return;
        }
        NodeFileSink.create(downloadDir, offer).then(
          (sink) => {
            decision.accept(sink);
            peer.onAccepted?.();
          },
          (error: Error) => decision.decline('SINK_FAILED', error.message),
        );
      },
    });
    return { peer, opened };
  };
  const a = await make('Alice', link.a);
  const b = await make('Bob', link.b);
  for (const peer of [a.peer, b.peer]) {
    const transfers = peer.session.transfers;
    const original = transfers.handleControl.bind(transfers);
    transfers.handleControl = (message) => {
      peer.controlSeen.push(message);
      original(message);
    };
  }
  a.peer.session.start();
  b.peer.session.start();
  await Promise.all([a.opened, b.opened]);
  return { a: a.peer, b: b.peer };
}

type PeerTuning = NonNullable<ConstructorParameters<typeof PeerSession>[0]['transferTuning']>;

/** Writes a tree: path → size (a number) or null for an empty folder. */
async function makeTree(dir: string, spec: Record<string, number | null>): Promise<void> {
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

/** Every file and folder under dir, with contents, sizes and mtimes, for byte-for-byte comparison. */
async function snapshot(dir: string): Promise<Record<string, { bytes?: string; mtime?: number }>> {
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

async function sendPaths(from: Peer, paths: string[], mode: DeliveryMode, chunkSize?: number) {
  const { entries, files } = await manifestFromPaths(paths);
  const source = new NodeFileSource(files);
  const handle = from.session.transfers.send({ entries, source, mode, ...(chunkSize ? { chunkSize } : {}) });
  const done = handle.done.finally(() => source.close());
  return { handle, done };
}

async function rejection(promise: Promise<unknown>): Promise<FerryError> {
  try {
    await promise;
  } catch (error) {
    return error as FerryError;
  }
  throw new Error('expected a rejection');
}

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function defineTransferConformance(name: string, options: ConformanceOptions & { tuning?: PeerTuning }): void {
  const modes = options.modes ?? DELIVERY_MODES;
  const large = options.largeFileBytes ?? 3 * 1024 * 1024 + 12_345;

  describe(`transfer conformance: ${name}`, () => {
    let hasher: HasherFactory;
    let link: ConformanceLink;
    let peers: { a: Peer; b: Peer };
    let work: string;
    const cleanups: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      hasher = await createHashWasmHasherFactory();
    });

    async function setup(): Promise<void> {
      link = await options.createLink();
      peers = await connect(link, hasher, options.tuning);
      work = await mkdtemp(join(tmpdir(), 'ferry-sources-'));
      cleanups.push(async () => {
        peers.a.session.close();
        peers.b.session.close();
        await link.close();
        await rm(work, { recursive: true, force: true });
        await rm(join(peers.a.downloadDir, '..'), { recursive: true, force: true });
      });
    }

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    for (const mode of modes) {
      it(`sends a file byte for byte (${mode})`, async () => {
        await setup();
        await makeTree(work, { 'video.bin': large });
        const { done } = await sendPaths(peers.a, [join(work, 'video.bin')], mode, 16 * 1024);
        await done;
        expect(await snapshot(peers.b.downloadDir)).toEqual(await snapshot(work));
      });
    }

    it('sends many files and folders, with empty files and empty folders, keeping paths and times', async () => {
      await setup();
      await makeTree(work, {
        'Photos/2026/a.jpg': 200_000,
        'Photos/2026/b.jpg': 65_536,
        'Photos/empty.txt': 0,
        'Photos/Nothing here': null,
        'Photos/deep/er/still/c.raw': 131_073,
        'notes.txt': 1234,
        'zero.bin': 0,
      });
      const { done } = await sendPaths(peers.a, [join(work, 'Photos'), join(work, 'notes.txt'), join(work, 'zero.bin')], modes[0] as DeliveryMode);
      await done;
      expect(await snapshot(peers.b.downloadDir)).toEqual(await snapshot(work));
    });

    it('sends both ways at once', async () => {
      await setup();
      await makeTree(work, { 'from-alice.bin': 500_000, 'from-bob.bin': 400_000 });
      const one = await sendPaths(peers.a, [join(work, 'from-alice.bin')], modes[0] as DeliveryMode);
      const two = await sendPaths(peers.b, [join(work, 'from-bob.bin')], modes[0] as DeliveryMode);
      await Promise.all([one.done, two.done]);
      expect((await snapshot(peers.b.downloadDir))['from-alice.bin']).toEqual((await snapshot(work))['from-alice.bin']);
      expect((await snapshot(peers.a.downloadDir))['from-bob.bin']).toEqual((await snapshot(work))['from-bob.bin']);
    });

    it('never overwrites: a name that exists gets a number', async () => {
      await setup();
      await makeTree(work, { 'report.pdf': 10_000, 'Album/x.jpg': 1000 });
      await writeFile(join(peers.b.downloadDir, 'report.pdf'), 'already here');
      await mkdir(join(peers.b.downloadDir, 'Album'));
      await (await sendPaths(peers.a, [join(work, 'report.pdf'), join(work, 'Album')], modes[0] as DeliveryMode)).done;
      const received = await snapshot(peers.b.downloadDir);
      expect(received['report.pdf']?.bytes).toBe(Buffer.from('already here').toString('base64'));
      expect(received['report (1).pdf']?.bytes).toBe((await snapshot(work))['report.pdf']?.bytes);
      expect(received['Album (1)/x.jpg']?.bytes).toBe((await snapshot(work))['Album/x.jpg']?.bytes);
    });

    it('a declined offer writes nothing and tells the sender', async () => {
      await setup();
      peers.b.policy = () => 'decline';
      await makeTree(work, { 'unwanted.bin': 10_000 });
      const error = await rejection((await sendPaths(peers.a, [join(work, 'unwanted.bin')], modes[0] as DeliveryMode)).done);
      expect(error.code).toBe('TRANSFER_DECLINED');
      expect(error.message).toContain('Not now, thanks.');
      expect(await readdir(peers.b.downloadDir)).toEqual([]);
    });

    for (const side of ['sender', 'receiver'] as const) {
      it(`the ${side} cancels mid-transfer: both stop, no final file, no partial file`, async () => {
        await setup();
        await makeTree(work, { 'big.bin': large });
        const { handle, done } = await sendPaths(peers.a, [join(work, 'big.bin')], modes[0] as DeliveryMode, 16 * 1024);
        let sent = 0;
        handle.onEvent((event) => {
          if (event.type === 'progress') sent = event.bytesSent;
        });
        await waitUntil(() => sent > 64 * 1024);
        const incoming = peers.b.handles.at(-1);
        if (side === 'sender') handle.cancel();
        else incoming?.cancel();
        const error = await rejection(done);
        expect(error.code).toBe('TRANSFER_CANCELLED');
        expect((await rejection(incoming?.done ?? Promise.resolve())).code).toBe('TRANSFER_CANCELLED');
        await settle();
        expect(await readdir(peers.b.downloadDir)).toEqual([]);
      });
    }

    it('refuses an offer with a hostile name, writes nothing, and says why', async () => {
      await setup();
      peers.a.session.chat.sendTransferMessage({
        type: 'offer',
        transferId: 4242,
        mode: 'reliable-ordered',
        chunkSize: 16_384,
        digest: 'xxh128',
        totalEntries: 1,
        totalBytes: 10,
        entries: [{ kind: 'file', path: '../../.bashrc', size: 10, mtime: 0 }],
      });
      await waitUntil(() => peers.a.controlSeen.some((m) => m.type === 'decline' && m.transferId === 4242));
      const answer = peers.a.controlSeen.find((m) => m.type === 'decline') as { code: string; message: string };
      expect(answer.code).toBe('PATH_INVALID');
      expect(answer.message).toMatch(/points outside its folder/);
      expect(peers.b.incoming).toEqual([]);
      expect(await readdir(peers.b.downloadDir)).toEqual([]);
      expect(await readdir(join(peers.b.downloadDir, '..'))).toEqual(expect.arrayContaining(['Bob-downloads']));
    });

    it('fails a transfer whose data frame lies about its chunk, and removes what it wrote', async () => {
      await setup();
      const mode = modes[0] as DeliveryMode;
      peers.b.onAccepted = () => {
        const frames = [
          encodeDataFrame({ transferId: 77, fileIndex: 0, chunkIndex: 0 }, new Uint8Array(16_384)),
          encodeDataFrame({ transferId: 77, fileIndex: 0, chunkIndex: 999 }, new Uint8Array(16_384)),
        ];
        for (const frame of frames) link.a.data[mode].send(frame);
      };
      peers.a.session.chat.sendTransferMessage({
        type: 'offer',
        transferId: 77,
        mode,
        chunkSize: 16_384,
        digest: 'xxh128',
        totalEntries: 1,
        totalBytes: 40_000,
        entries: [{ kind: 'file', path: 'innocent.bin', size: 40_000, mtime: 0 }],
      });
      await waitUntil(() => peers.a.controlSeen.some((m) => m.type === 'cancel' && m.transferId === 77));
      expect(peers.a.controlSeen.find((m) => m.type === 'cancel')).toMatchObject({ code: 'DATA_FRAME_INVALID', from: 'receiver' });
      await settle();
      expect(await readdir(peers.b.downloadDir)).toEqual([]);
    });

    it('a dropped connection fails both sides and leaves no partial file', async () => {
      await setup();
      await makeTree(work, { 'big.bin': large });
      const { handle, done } = await sendPaths(peers.a, [join(work, 'big.bin')], modes[0] as DeliveryMode, 16 * 1024);
      let sent = 0;
      handle.onEvent((event) => {
        if (event.type === 'progress') sent = event.bytesSent;
      });
      await waitUntil(() => sent > 64 * 1024);
      link.a.control.close();
      const error = await rejection(done);
      expect(error.code).toBe('CHANNEL_CLOSED');
      await waitUntil(() => peers.b.session.transfers.activeTransfers.incoming === 0);
      await settle();
      expect(await readdir(peers.b.downloadDir)).toEqual([]);
    });
  });
}

/** Lets pending file-system work (aborts) finish. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}
