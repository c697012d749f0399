import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryError } from '../errors.js';
import { createMemoryChannelPair, type MemoryChannel } from '../testing/memory-channel.js';
import { MemorySource, ResumableMemorySink } from '../testing/memory-files.js';
import type { ManifestEntry, TransferMessage } from '../wire/control.js';
import { type IncomingDecision, type OutgoingTransferOptions, TransferEndpoint } from './endpoint.js';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';
import type { HasherFactory } from './hasher.js';
import type { IncomingOffer } from './receiver.js';
import { TransferSender } from './sender.js';
import { realTimeRuntime } from '../testing/real-time-runtime.js';

const runtime = realTimeRuntime;

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

const CHUNK = 16 * 1024;
const BLOCK_CHUNKS = 4;
const BLOCK = CHUNK * BLOCK_CHUNKS;
const KEY = 'resume-key-0123456789a';
const WINDOW = 8;

/**
 * One link between a sender (a) and a receiver (b): control through JSON as on the wire, data on
 * one memory channel; cut() drops it on both sides at once, as a killed peer or a lost network.
 */
function link(onOffer: (offer: IncomingOffer, decision: IncomingDecision) => void) {
  let up = true;
  const [dataA, dataB] = createMemoryChannelPair({ runtime, bytesPerMs: 4_000 }) as [MemoryChannel, MemoryChannel];
  const late: { b?: TransferEndpoint } = {};
  let frames = 0;
  let credit = 0;
  let maxAhead = 0;
  const a = new TransferEndpoint({
    runtime,
    createHasher: hasher,
    sendControl: (m) => setTimeout(() => up && late.b?.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0),
    dataChannels: () => (dataA.open ? [dataA] : []),
    onIncoming: (_o, d) => d.decline(),
    windowChunks: WINDOW,
  });
  const b = new TransferEndpoint({
    runtime,
    createHasher: hasher,
    sendControl: (m) => {
      if (m.type === 'credit') {
        credit += m.chunks;
        maxAhead = Math.max(maxAhead, credit - frames);
      }
      setTimeout(() => up && a.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0);
    },
    dataChannels: () => [],
    onIncoming: (offer, decision) => onOffer(offer, decision),
    // Smaller than what is held when resuming: credit must count only what is in flight.
    windowChunks: WINDOW,
  });
  late.b = b;
  dataB.onMessage((frame) => {
    if (!up) return;
    frames++;
    b.handleData(frame);
  });
  return {
    a,
    get frames() {
      return frames;
    },
    /** The most credit the receiver ever had out beyond what arrived: its window bounds it. */
    get creditAhead() {
      return maxAhead;
    },
    cut() {
      up = false;
      dataA.close();
      a.closed();
      b.closed();
    },
  };
}

const file = (size: number, path = 'data.bin'): ManifestEntry => ({ kind: 'file', path, size, mtime: 1_700_000_000_000 });
const chunksOf = (size: number) => Math.ceil(size / CHUNK);
const offerOf = (entries: ManifestEntry[], files: Map<number, Uint8Array>, resume = false): OutgoingTransferOptions => ({
  entries,
  source: new MemorySource(files),
  chunkSize: CHUNK,
  blockChunks: BLOCK_CHUNKS,
  resumeKey: KEY,
  resume,
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Runs the first session until `blocks` blocks of file 0 are journaled, then cuts it. */
async function interrupted(entries: ManifestEntry[], files: Map<number, Uint8Array>, blocks: number) {
  // A slow disk: the receiver's window, not the wire, sets the pace (credit is what is tested).
  const sink = new ResumableMemorySink(new Map(entries.map((e, i) => [i, e.kind === 'file' ? e.size : 0])), { runtime, writeDelayMs: 2 });
  let offered: IncomingOffer | undefined;
  const first = link((offer, decision) => {
    offered = offer;
    decision.accept(sink);
  });
  const sending = first.a.send(offerOf(entries, files));
  await until(`${blocks} verified blocks`, () => (sink.journal.get(0)?.size ?? 0) >= blocks);
  first.cut();
  const error = (await sending.done.catch((e: unknown) => e)) as FerryError;
  return { sink, offered: offered as IncomingOffer, error };
}

describe('resume (SPEC.md, "Resume")', () => {
  it('a cut interrupts both sides; the resumed offer says what the receiver holds, and only the rest crosses', async () => {
    const size = 40 * BLOCK + 1234;
    const bytes = new Uint8Array(randomBytes(size));
    const entries = [file(size)];
    const { sink, offered, error } = await interrupted(entries, new Map([[0, bytes]]), 10);
    expect(offered).toMatchObject({ resumeKey: KEY, resume: false });
    expect(error.code).toBe('TRANSFER_INTERRUPTED');
    expect(sink.suspended).toBe(true);
    expect(sink.aborted).toBe(false);

    const held = sink.resumeFrom();
    const heldBlocks = held.blocks.get(0)?.size ?? 0;
    expect(heldBlocks).toBeGreaterThanOrEqual(10);
    let resumedOffer: IncomingOffer | undefined;
    const second = link((offer, decision) => {
      resumedOffer = offer;
      decision.accept(sink, held);
    });
    const progress: number[] = [];
    const handle = second.a.send(offerOf(entries, new Map([[0, bytes]]), true));
    handle.onEvent((e) => e.type === 'progress' && progress.push(e.bytesSent));
    await handle.done;
    expect(resumedOffer).toMatchObject({ resumeKey: KEY, resume: true });
    expect(Buffer.from(sink.files.get(0) as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(sink.finalized.has(0)).toBe(true);
    // Only the blocks the receiver lacked crossed, and progress started from what it held.
    expect(second.frames).toBe(chunksOf(size) - heldBlocks * BLOCK_CHUNKS);
    expect(second.creditAhead).toBeLessThanOrEqual(WINDOW);
    expect(progress[0]).toBeGreaterThanOrEqual(heldBlocks * BLOCK);
  });

  it('a held block that no longer matches the source is sent again, and the file ends as the source is now', async () => {
    const size = 24 * BLOCK;
    const bytes = new Uint8Array(randomBytes(size));
    const entries = [file(size)];
    const { sink } = await interrupted(entries, new Map([[0, bytes]]), 6);
    const held = sink.resumeFrom();
    const heldBlocks = held.blocks.get(0)?.size ?? 0;
    // The source changed inside block 2, which the receiver holds.
    const changed = bytes.slice();
    changed[2 * BLOCK + 5] = (changed[2 * BLOCK + 5] ?? 0) ^ 0xff;
    const second = link((_offer, decision) => decision.accept(sink, held));
    await second.a.send(offerOf(entries, new Map([[0, changed]]), true)).done;
    expect(Buffer.from(sink.files.get(0) as Uint8Array).equals(Buffer.from(changed))).toBe(true);
    expect(second.frames).toBe(chunksOf(size) - (heldBlocks - 1) * BLOCK_CHUNKS);
  });

  it('files the receiver holds whole are skipped: no reads, no bytes, and the transfer completes', async () => {
    const sizes = [3 * BLOCK + 10, 0, 5 * BLOCK];
    const contents = sizes.map((n) => new Uint8Array(randomBytes(n)));
    const entries = sizes.map((n, i) => file(n, `f${i}.bin`));
    const files = new Map(contents.map((c, i) => [i, c]));
    const sink = new ResumableMemorySink(new Map(sizes.map((n, i) => [i, n])));
    // As a journal would say after the first two files landed and the link dropped.
    for (const i of [0, 1]) {
      sink.files.set(i, contents[i] as Uint8Array);
      sink.finalized.add(i);
    }
    const reads: number[] = [];
    const source = new MemorySource(files);
    const counted = { read: (i: number, offset: number, into: Uint8Array) => (reads.push(i), source.read(i, offset, into)) };
    const second = link((_offer, decision) => decision.accept(sink, sink.resumeFrom()));
    await second.a.send({ ...offerOf(entries, files, true), source: counted }).done;
    expect(reads.every((i) => i === 2)).toBe(true);
    expect(second.frames).toBe(chunksOf(sizes[2] as number));
    expect(Buffer.from(sink.files.get(2) as Uint8Array).equals(Buffer.from(contents[2] as Uint8Array))).toBe(true);
  });

  describe('hostile "have"', () => {
    const sender = (resume: boolean) => {
      const events: string[] = [];
      const sent: TransferMessage[] = [];
      const s = new TransferSender({
        transferId: 1,
        entries: [file(10 * BLOCK), { kind: 'directory', path: 'd' }],
        mode: 'reliable-ordered',
        chunkSize: CHUNK,
        blockChunks: BLOCK_CHUNKS,
        digest: 'xxh128',
        createHasher: hasher,
        resumeKey: KEY,
        resume,
        sendControl: (m) => sent.push(m),
        onEvent: (e) => events.push(e.type === 'failed' ? `failed ${e.error.code}: ${e.error.message}` : e.type),
      });
      s.start();
      return { s, events, sent };
    };
    const have = (fileIndex: number, blocks: [number, number][], complete = false): TransferMessage => ({ type: 'have', transferId: 1, fileIndex, complete, blocks });

    it.each([
      ['for a transfer that is not being resumed', false, have(0, [[0, 1]]), /not being resumed/],
      ['past the end of the file', true, have(0, [[8, 11]]), /past its 10 blocks/],
      ['out of order', true, have(0, [[4, 6], [1, 2]]), /out of order/],
      ['for a folder', true, have(1, []), /no file/],
      ['complete, with blocks', true, have(0, [[0, 1]], true), /complete, with blocks/],
    ])('%s: refused, in words (TRANSFER_PROTOCOL, and the receiver is told)', (_what, resume, message, words) => {
      const { s, events, sent } = sender(resume);
      s.handle(message);
      expect(events.at(-1)).toMatch(/^failed TRANSFER_PROTOCOL/);
      expect(events.at(-1)).toMatch(words);
      expect(sent.at(-1)).toMatchObject({ type: 'cancel', from: 'sender', code: 'TRANSFER_PROTOCOL' });
    });

    it('after accept: refused', () => {
      const { s, events } = sender(true);
      s.handle({ type: 'accept', transferId: 1 });
      s.handle(have(0, [[0, 1]]));
      expect(events.at(-1)).toMatch(/^failed TRANSFER_PROTOCOL/);
    });

    it('twice for one file: refused', () => {
      const { s, events } = sender(true);
      s.handle(have(0, [[0, 1]]));
      s.handle(have(0, [[2, 3]]));
      expect(events.at(-1)).toMatch(/^failed TRANSFER_PROTOCOL: .*Two "have"/);
    });
  });
});
