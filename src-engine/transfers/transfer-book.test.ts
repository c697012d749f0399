import { beforeAll, describe, expect, it } from 'vitest';
import {
  createHashWasmHasherFactory,
  DELIVERY_MODES,
  type DeliveryMode,
  type HasherFactory,
  type IncomingOffer,
  type ManifestEntry,
  TransferEndpoint,
  type TransferEndpointOptions,
  type TransferMessage,
} from '../../src-core/index.js';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import { createMemoryChannelPair, type MemoryChannel } from '../../src-core/testing/memory-channel.js';
import { MemorySink, MemorySource } from '../../src-core/testing/memory-files.js';
import type { FerrySettings, RecentTransfer } from '../contract/device.js';
import { SnapshotStore } from '../state/snapshot-store.js';
import { TransferBook } from './transfer-book.js';

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

const A = 'ferry-aaaaaaaaaaaaaaaa';
const B = 'ferry-bbbbbbbbbbbbbbbb';

const SETTINGS: FerrySettings = {
  version: 1,
  deviceName: 'Here',
  downloadDir: null,
  signaling: { kind: 'built-in' },
  iceServers: [],
  relayOnly: false,
  transferMode: 'automatic',
  autoAcceptTrusted: false,
  trustedDevices: [],
  theme: 'system',
};

function sizesOf(entries: readonly ManifestEntry[]): Map<number, number> {
  return new Map(entries.map((e, i) => [i, e.kind === 'file' ? e.size : 0]));
}

/** Our download folder: verified files are reported under their final names. */
class DownloadSink extends MemorySink {
  constructor(
    private readonly offer: IncomingOffer,
    private readonly saved: (fileIndex: number, path: string) => void,
  ) {
    super(sizesOf(offer.entries));
  }

  override async finalize(fileIndex: number): Promise<void> {
    await super.finalize(fileIndex);
    this.saved(fileIndex, `/downloads/${this.offer.entries[fileIndex]?.path}`);
  }
}

function file(path: string, size: number) {
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 251);
  return { entries: [{ kind: 'file' as const, path, size, mtime: 0 }], source: new MemorySource(new Map([[0, bytes]])), bytes };
}

/**
 * This device's transfer book, and other devices linked to it: each link is a real pair of the
 * core's transfer endpoints (ours, and the other device's) over memory channels, on one manual
 * clock. The other devices accept whatever they are offered.
 */
function world(options: { free?: number; autoAcceptTrusted?: boolean; trusted?: Array<{ peerId: string; name: string }> } = {}) {
  const runtime = new ManualRuntime();
  const store = new SnapshotStore();
  store.update({
    settings: { ...SETTINGS, autoAcceptTrusted: options.autoAcceptTrusted ?? false, trustedDevices: (options.trusted ?? []).map((d) => ({ ...d, since: 0 })) },
  });
  const notices: Array<{ title: string; body: string }> = [];
  const taskbar: Array<number | null> = [];
  const trusted: string[] = [];
  let tray: RecentTransfer[] = [];
  const free = options.free ?? 1e12;
  const ours = new Map<string, TransferEndpoint>();
  const book: TransferBook = new TransferBook({
    runtime,
    store,
    device: {
      notify: async (title, body) => notices.push({ title, body }),
      setProgress: async (fraction) => taskbar.push(fraction),
      setRecentTransfers: async (recent) => (tray = recent),
    },
    downloads: {
      checkSpace: async (totalBytes) => ({ fits: totalBytes <= free, availableBytes: free, downloadDir: '/downloads' }),
      openSink: async (offer, saved) => new DownloadSink(offer, saved),
    },
    transfersOf: (peerId) => ours.get(peerId),
    trust: async (peerId) => trusted.push(peerId),
    originOf: () => undefined,
    dial: () => {},
  });

  /** Links the device `peerId`; returns its side: its endpoint and what it received. */
  function connect(peerId: string) {
    const channels = {} as Record<DeliveryMode, [MemoryChannel, MemoryChannel]>;
    for (const mode of DELIVERY_MODES) channels[mode] = createMemoryChannelPair({ runtime, bytesPerMs: 1000 });
    const late: { ours?: TransferEndpoint; theirs?: TransferEndpoint } = {};
    // Control messages take a JSON round trip and a millisecond, as on the wire.
    const wire = (to: () => TransferEndpoint | undefined) => (message: TransferMessage) =>
      void runtime.setTimer(1, () => to()?.handleControl(JSON.parse(JSON.stringify(message)) as TransferMessage));
    const sinks: MemorySink[] = [];
    const common: Pick<TransferEndpointOptions, 'runtime' | 'createHasher' | 'highWaterMark' | 'lowWaterMark'> = {
      runtime,
      createHasher: hasher,
      // A small send buffer: progress follows what the "network" has carried.
      highWaterMark: 32 * 1024,
      lowWaterMark: 8 * 1024,
    };
    const here = new TransferEndpoint({
      ...common,
      sendControl: wire(() => late.theirs),
      dataChannels: (mode) => [channels[mode][0]],
      onIncoming: (offer, decision, handle) => book.incoming(peerId, offer, decision, handle),
    });
    const there = new TransferEndpoint({
      ...common,
      sendControl: wire(() => late.ours),
      dataChannels: (mode) => [channels[mode][1]],
      onIncoming: (offer, decision) => {
        const sink = new MemorySink(sizesOf(offer.entries));
        sinks.push(sink);
        decision.accept(sink);
      },
    });
    late.ours = here;
    late.theirs = there;
    // What one end of a pair sends, the other end hears: [0] is ours, [1] the other device's.
    for (const mode of DELIVERY_MODES) {
      channels[mode][1].onMessage((frame) => there.handleData(frame));
      channels[mode][0].onMessage((frame) => here.handleData(frame));
    }
    ours.set(peerId, here);
    store.addConversation(peerId, 'open');
    return { endpoint: there, sinks };
  }

  /** Runs the clock a millisecond at a time (letting promises settle) until `done`. */
  async function until(done: () => boolean, limitMs = 30_000): Promise<void> {
    for (let ms = 0; !done(); ms++) {
      if (ms > limitMs) throw new Error('timed out');
      await new Promise((resolve) => setImmediate(resolve));
      runtime.advance(1);
    }
  }

  const row = (peerId: string, key: string) => store.conversation(peerId)?.transfers.find((t) => t.key === key);
  return { book, store, connect, until, row, notices, taskbar, trusted, tray: () => tray };
}

/** How a transfer's `done` settled, once it has. */
function outcome(done: Promise<void>): () => unknown {
  let settled: unknown;
  done.then(
    () => (settled = 'done'),
    (error: unknown) => (settled = error),
  );
  return () => settled;
}

describe('the transfer book', () => {
  it('answers two devices’ transfer 1 independently: one accepted and saved, the other declined', async () => {
    const w = world({ trusted: [{ peerId: A, name: 'Laptop' }] });
    const a = w.connect(A);
    const b = w.connect(B);
    const fromA = a.endpoint.send(file('a.txt', 100_000));
    const fromB = b.endpoint.send(file('b.txt', 60_000));
    expect([fromA.transferId, fromB.transferId]).toEqual([1, 1]);
    await w.until(() => w.row(A, 'in-1') !== undefined && w.row(B, 'in-1') !== undefined);
    expect(w.row(A, 'in-1')).toMatchObject({ state: 'offered', title: 'a.txt', totalBytes: 100_000 });
    expect(w.row(B, 'in-1')).toMatchObject({ state: 'offered', title: 'b.txt', totalBytes: 60_000 });

    w.book.accept(A, 'in-1');
    const a1 = outcome(fromA.done);
    await w.until(() => a1() !== undefined && w.row(A, 'in-1')?.state === 'done');
    expect(a1()).toBe('done');
    expect(w.row(A, 'in-1')).toMatchObject({ bytesDone: 100_000, savedPaths: ['/downloads/a.txt'], files: [expect.objectContaining({ done: true })] });
    expect(w.row(B, 'in-1')?.state).toBe('offered');

    // Declining device b's transfer 1 again, or device a's, is not news to device a.
    w.book.decline(B, 'in-1');
    w.book.decline(A, 'in-1');
    const b1 = outcome(fromB.done);
    await w.until(() => b1() !== undefined);
    expect(b1()).toMatchObject({ code: 'TRANSFER_DECLINED', cause: { code: 'USER_DECLINED' } });
    expect(w.row(B, 'in-1')).toMatchObject({ state: 'declined', error: undefined });
    expect(w.row(A, 'in-1')?.state).toBe('done');

    expect(w.notices).toEqual([
      { title: 'Received a.txt', body: '1 file from Laptop, verified.' },
      { title: `b.txt from ${B} was declined`, body: '' },
    ]);
    // The tray: newest first, each under its device's name.
    expect(w.tray()).toEqual([
      { title: 'b.txt', peerName: B, direction: 'in', state: 'declined' },
      { title: 'a.txt', peerName: 'Laptop', direction: 'in', state: 'done' },
    ]);
  });

  it('cancels one device’s transfer 1 mid-way while the other device’s transfer 1 goes on', async () => {
    const w = world();
    const a = w.connect(A);
    const b = w.connect(B);
    const toA = file('a.bin', 400_000);
    const toB = file('b.bin', 400_000);
    w.book.send(A, toA);
    w.book.send(B, toB);
    expect(w.row(A, 'out-1')).toMatchObject({ state: 'waiting', direction: 'out', totalBytes: 400_000 });
    expect(w.row(B, 'out-1')).toMatchObject({ state: 'waiting', direction: 'out', totalBytes: 400_000 });

    await w.until(() => (w.row(A, 'out-1')?.bytesDone ?? 0) > 100_000);
    expect(w.row(A, 'out-1')?.state).toBe('active');
    expect(w.row(A, 'out-1')?.bytesPerSecond).toBeGreaterThan(0);
    w.book.cancel(A, 'out-1');
    await w.until(() => w.row(B, 'out-1')?.state === 'done' && w.row(A, 'out-1')?.state === 'cancelled' && a.sinks[0]?.aborted === true);

    expect(w.row(A, 'out-1')).toMatchObject({ state: 'cancelled', error: undefined, endedBy: 'here' });
    expect(w.row(A, 'out-1')?.bytesDone).toBeLessThan(400_000);
    expect(Buffer.from(b.sinks[0]?.files.get(0) ?? []).equals(Buffer.from(toB.bytes))).toBe(true);
    expect(w.notices.map((n) => n.title)).toEqual([`a.bin to ${A} was cancelled`, 'Sent b.bin']);
    // The taskbar showed the two together while they ran, and nothing once they ended.
    expect(w.taskbar.some((f) => f !== null && f > 0 && f < 1)).toBe(true);
    expect(w.taskbar.at(-1)).toBeNull();
  });

  it('accepts offers from a trusted device without asking when they fit; others wait for a person', async () => {
    const w = world({ autoAcceptTrusted: true, trusted: [{ peerId: A, name: 'Laptop' }], free: 150_000 });
    const a = w.connect(A);
    const b = w.connect(B);
    a.endpoint.send(file('big.bin', 200_000));
    await w.until(() => w.row(A, 'in-1')?.spaceProblem !== undefined);
    expect(w.row(A, 'in-1')?.spaceProblem).toBe(
      'Not enough free space in /downloads: these files need 200 kB and 150 kB is available. Free some space or choose another download folder in Settings.',
    );
    a.endpoint.send(file('small.bin', 100_000));
    b.endpoint.send(file('other.bin', 100_000));
    await w.until(() => w.row(A, 'in-2')?.state === 'done' && w.row(B, 'in-1') !== undefined);
    expect(w.row(A, 'in-1')?.state).toBe('offered');
    expect(w.row(B, 'in-1')?.state).toBe('offered');

    // "Always accept from this device" trusts it as it accepts.
    w.book.accept(B, 'in-1', { alwaysAccept: true });
    await w.until(() => w.row(B, 'in-1')?.state === 'done');
    expect(w.trusted).toEqual([B]);
  });

  it('a second link to a device numbers its transfers from 1 again: their rows get keys of their own', async () => {
    const w = world();
    const first = w.connect(A);
    first.endpoint.send(file('one.txt', 10_000));
    await w.until(() => w.row(A, 'in-1') !== undefined);
    w.book.accept(A, 'in-1');
    await w.until(() => w.row(A, 'in-1')?.state === 'done');
    w.book.send(A, file('sent.txt', 5_000));
    await w.until(() => w.row(A, 'out-1')?.state === 'done');

    // The device reconnects: a new link, the conversation (and its rows) kept.
    const second = w.connect(A);
    const again = second.endpoint.send(file('two.txt', 20_000));
    expect(again.transferId).toBe(1);
    await w.until(() => w.row(A, 'in-1~2') !== undefined);
    expect(w.row(A, 'in-1~2')).toMatchObject({ state: 'offered', title: 'two.txt' });
    w.book.accept(A, 'in-1~2');
    w.book.send(A, file('sent-again.txt', 5_000));
    await w.until(() => w.row(A, 'in-1~2')?.state === 'done' && w.row(A, 'out-1~2')?.state === 'done');
    expect(w.row(A, 'in-1~2')?.savedPaths).toEqual(['/downloads/two.txt']);
    // The first link's rows are as they ended.
    expect(w.row(A, 'in-1')).toMatchObject({ title: 'one.txt', state: 'done', savedPaths: ['/downloads/one.txt'] });
    expect(w.row(A, 'out-1')).toMatchObject({ title: 'sent.txt', state: 'done' });
    expect(w.store.conversation(A)?.transfers.map((t) => t.key)).toEqual(['in-1', 'out-1', 'in-1~2', 'out-1~2']);
  });
});
