import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { ManualRuntime } from '../testing/manual-runtime.js';
import { ControlMessage, type ManifestEntry, type TransferMessage } from '../wire/control.js';
import { decodeControl } from '../wire/control.js';
import { decodeDataFrame, encodeDataFrame } from '../wire/data-frame.js';
import { decodeFrame } from '../wire/frame.js';
import { FileDigestChain } from './block-digest.js';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';
import type { HasherFactory } from './hasher.js';
import { type ReceiverAction, type ReceiverEvent, TransferReceiver } from './receiver.js';

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

const CHUNK = 1024;
const WINDOW = 8;
const BLOCK_CHUNKS = 2;

/** What a sender announces for a file: each block's digest, and the file's (digest of the block digests). */
function digestsOf(bytes: Uint8Array): { blocks: string[]; file: string } {
  const chain = new FileDigestChain(hasher, 'xxh128');
  const blocks: string[] = [];
  for (let at = 0; at < bytes.length; at += BLOCK_CHUNKS * CHUNK) {
    const h = hasher('xxh128');
    h.update(bytes.subarray(at, at + BLOCK_CHUNKS * CHUNK));
    blocks.push(h.digest());
    chain.add(blocks.at(-1) as string);
  }
  return { blocks, file: chain.digest() };
}

function receiver() {
  const sent: TransferMessage[] = [];
  const actions: ReceiverAction[] = [];
  const events: ReceiverEvent[] = [];
  const r = new TransferReceiver(1, {
    runtime: new ManualRuntime(),
    createHasher: hasher,
    sendControl: (m) => sent.push(m),
    onAction: (a) => actions.push(a),
    onEvent: (e) => events.push(e),
    windowChunks: WINDOW,
  });
  return { r, sent, actions, events };
}

function offer(entries: ManifestEntry[], overrides: Partial<Extract<TransferMessage, { type: 'offer' }>> = {}): TransferMessage {
  const totalBytes = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
  return { type: 'offer', transferId: 1, mode: 'partial', chunkSize: CHUNK, digest: 'xxh128', blockChunks: BLOCK_CHUNKS, totalEntries: entries.length, totalBytes, entries, ...overrides };
}

const FILES: ManifestEntry[] = [
  { kind: 'directory', path: 'dir' },
  { kind: 'file', path: 'dir/a.bin', size: 5000, mtime: 1 },
  { kind: 'file', path: 'empty', size: 0, mtime: 1 },
  { kind: 'file', path: 'b.bin', size: 3 * CHUNK, mtime: 1 },
];

describe('TransferReceiver: offers', () => {
  it('declines a manifest whose sizes do not add up', () => {
    const { r, sent, events } = receiver();
    r.handle(offer(FILES, { totalBytes: 1 }));
    expect(sent).toEqual([expect.objectContaining({ type: 'decline', code: 'MANIFEST_INVALID' })]);
    expect(events).toEqual([expect.objectContaining({ type: 'failed' })]);
  });

  it('assembles an offer sent in pages, and declines more entries than announced (MANIFEST_INVALID) before anyone is asked', () => {
    const { r, events } = receiver();
    r.handle(offer(FILES.slice(0, 2), { totalEntries: 4, totalBytes: 5000 + 3 * CHUNK }));
    expect(events).toEqual([]);
    r.handle({ type: 'offer-page', transferId: 1, entries: FILES.slice(2) });
    expect(events).toEqual([expect.objectContaining({ type: 'offer' })]);

    const second = receiver();
    second.r.handle(offer(FILES.slice(0, 1), { totalEntries: 1 }));
    second.r.handle({ type: 'offer-page', transferId: 1, entries: FILES.slice(1, 2) });
    // A page after the offer was whole (and put to the person) breaks the protocol.
    expect(second.sent.at(-1)).toMatchObject({ type: 'cancel', code: 'TRANSFER_PROTOCOL' });
    // While it is being collected, more entries than announced decline it before anyone is asked.
    const paged = receiver();
    paged.r.handle(offer(FILES.slice(0, 2), { totalEntries: 3, totalBytes: 5000 + 3 * CHUNK }));
    paged.r.handle({ type: 'offer-page', transferId: 1, entries: FILES.slice(2) });
    expect(paged.sent).toEqual([expect.objectContaining({ type: 'decline', code: 'MANIFEST_INVALID' })]);
    expect(paged.events).toEqual([expect.objectContaining({ type: 'failed', error: expect.objectContaining({ code: 'MANIFEST_INVALID' }) })]);
    // In the first page already.
    const third = receiver();
    third.r.handle(offer(FILES, { totalEntries: 2 }));
    expect(third.sent).toEqual([expect.objectContaining({ type: 'decline', code: 'MANIFEST_INVALID' })]);
  });

  it('declines an offer with a bad name (empty, too long, outside its folder) with PATH_INVALID, before anyone is asked: the wire takes it, the session stays', () => {
    for (const path of ['', 'x'.repeat(4097), '../escape.txt']) {
      const { r, sent, events } = receiver();
      const message = ControlMessage.parse(JSON.parse(JSON.stringify(offer([{ kind: 'file', path, size: 1, mtime: 1 }]))));
      r.handle(message as TransferMessage);
      expect(sent).toEqual([expect.objectContaining({ type: 'decline', code: 'PATH_INVALID' })]);
      expect(events).toEqual([expect.objectContaining({ type: 'failed', error: expect.objectContaining({ code: 'PATH_INVALID' }) })]);
    }
  });

  it('refuses data before accept', () => {
    const { r, sent } = receiver();
    r.handle(offer(FILES));
    r.receiveData({ transferId: 1, fileIndex: 1, chunkIndex: 0, length: CHUNK }, new Uint8Array(CHUNK));
    expect(sent.at(-1)).toMatchObject({ type: 'cancel', code: 'TRANSFER_PROTOCOL' });
  });
});

describe('TransferReceiver: a well-behaved sender', () => {
  it('writes, hashes, finalises each file after its digest matches, then completes', () => {
    const { r, sent, actions, events } = receiver();
    r.handle(offer(FILES));
    r.accept();
    expect(sent).toEqual([
      { type: 'accept', transferId: 1 },
      { type: 'credit', transferId: 1, chunks: WINDOW },
    ]);
    const contents = new Map<number, Uint8Array>([
      [1, new Uint8Array(5000).map((_, i) => i)],
      [3, new Uint8Array(3 * CHUNK).map((_, i) => 255 - (i & 0xff))],
    ]);
    // Chunks arrive out of order (partial mode), each acknowledged by the "disk".
    const order: Array<[number, number]> = [[3, 2], [1, 1], [1, 0], [1, 4], [1, 3], [1, 2], [3, 0], [3, 1]];
    for (const [f, c] of order) {
      const bytes = (contents.get(f) as Uint8Array).slice(c * CHUNK, (c + 1) * CHUNK);
      r.receiveData({ transferId: 1, fileIndex: f, chunkIndex: c, length: bytes.length }, bytes);
      r.written(f, c);
    }
    expect(actions.filter((a) => a.type === 'write')).toHaveLength(8);
    for (const [f, bytes] of contents) {
      const { blocks, file } = digestsOf(bytes);
      blocks.forEach((digest, block) => r.handle({ type: 'block-digest', transferId: 1, fileIndex: f, block, digest }));
      r.handle({ type: 'file-digest', transferId: 1, fileIndex: f, digest: file });
    }
    r.handle({ type: 'file-digest', transferId: 1, fileIndex: 2, digest: digestsOf(new Uint8Array(0)).file });
    const finalize = actions.filter((a) => a.type === 'finalize').map((a) => (a as { fileIndex: number }).fileIndex);
    expect(finalize.sort()).toEqual([1, 2, 3]);
    for (const f of finalize) r.finalized(f);
    expect(sent.at(-1)).toEqual({ type: 'complete', transferId: 1 });
    expect(events.at(-1)).toEqual({ type: 'completed' });
    expect(r.heldChunks).toBe(0);
  });
});

describe('TransferReceiver: block digests', () => {
  it('refuses a block digest for data it never granted, past the end of a file, or twice', () => {
    const big: ManifestEntry[] = [{ kind: 'file', path: 'big.bin', size: 40 * CHUNK, mtime: 1 }];
    const digest = '0'.repeat(32);
    const cases: Array<[TransferMessage[], RegExp]> = [
      [[{ type: 'block-digest', transferId: 1, fileIndex: 0, block: 4, digest }], /before it was granted/],
      [[{ type: 'block-digest', transferId: 1, fileIndex: 0, block: 20, digest }], /past the end/],
      [
        [
          { type: 'block-digest', transferId: 1, fileIndex: 0, block: 1, digest },
          { type: 'block-digest', transferId: 1, fileIndex: 0, block: 1, digest },
        ],
        /Two digests for block 1/,
      ],
    ];
    for (const [messages, reason] of cases) {
      const { r, sent } = receiver();
      r.handle(offer(big));
      r.accept(); // grants WINDOW (8) chunks: blocks 0-3
      for (const m of messages) r.handle(m);
      expect(sent.at(-1)).toMatchObject({ type: 'cancel', code: 'TRANSFER_PROTOCOL', message: expect.stringMatching(reason) });
    }
  });

  it('asks for a damaged block again and checks the resend against the same digest', () => {
    const { r, sent, actions } = receiver();
    const bytes = new Uint8Array(4 * CHUNK).map((_, i) => i * 7);
    r.handle(offer([{ kind: 'file', path: 'f.bin', size: bytes.length, mtime: 1 }]));
    r.accept();
    const { blocks, file } = digestsOf(bytes);
    blocks.forEach((digest, block) => r.handle({ type: 'block-digest', transferId: 1, fileIndex: 0, block, digest }));
    r.handle({ type: 'file-digest', transferId: 1, fileIndex: 0, digest: file });
    const deliver = (c: number, damaged = false) => {
      const chunk = bytes.slice(c * CHUNK, (c + 1) * CHUNK);
      if (damaged) chunk[0] = (chunk[0] ?? 0) ^ 1;
      r.receiveData({ transferId: 1, fileIndex: 0, chunkIndex: c, length: CHUNK }, chunk);
      r.written(0, c);
    };
    deliver(0);
    deliver(1);
    deliver(2, true);
    deliver(3);
    expect(sent.filter((m) => m.type === 'gaps')).toEqual([{ type: 'gaps', transferId: 1, fileIndex: 0, ranges: [[2, 4]] }]);
    expect(actions.some((a) => a.type === 'finalize')).toBe(false);
    deliver(2);
    deliver(3);
    expect(actions.filter((a) => a.type === 'finalize')).toEqual([{ type: 'finalize', fileIndex: 0 }]);
  });
});

describe('TransferReceiver: partial-mode repair', () => {
  function partialReceiver() {
    const runtime = new ManualRuntime();
    const sent: TransferMessage[] = [];
    const r = new TransferReceiver(1, {
      runtime,
      createHasher: hasher,
      sendControl: (m) => sent.push(m),
      onAction: (a) => {
        if (a.type === 'write') queueMicrotask(() => r.written(a.fileIndex, a.chunkIndex));
      },
      onEvent: () => {},
      windowChunks: WINDOW,
      repairAfterMs: 250,
    });
    const entries: ManifestEntry[] = [{ kind: 'file', path: 'slow.bin', size: 40 * CHUNK, mtime: 1 }];
    r.handle(offer(entries));
    r.accept();
    const chunk = (c: number) => r.receiveData({ transferId: 1, fileIndex: 0, chunkIndex: c, length: CHUNK }, new Uint8Array(CHUNK));
    return { runtime, sent, chunk };
  }

  it('does not mistake a slow link for loss: chunks still in flight are not reported', () => {
    const { runtime, sent, chunk } = partialReceiver();
    for (let c = 0; c < 6; c++) {
      chunk(c);
      runtime.advance(200); // one chunk every 200 ms: slower than the 250 ms repair interval
    }
    expect(sent.filter((m) => m.type === 'gaps')).toEqual([]);
  });

  it('reports a chunk missing below the newest arrival once the link goes quiet, then the tail', () => {
    const { runtime, sent, chunk } = partialReceiver();
    chunk(0);
    chunk(2); // chunk 1 lost
    runtime.advance(300);
    expect(sent.filter((m) => m.type === 'gaps')).toEqual([{ type: 'gaps', transferId: 1, fileIndex: 0, ranges: [[1, 2]] }]);
    runtime.advance(1000); // still nothing: after three idle rounds, the unsent-looking tail too
    const tail = sent.filter((m) => m.type === 'gaps').at(-1);
    expect(tail).toMatchObject({ type: 'gaps', fileIndex: 0 });
    expect((tail as { ranges: [number, number][] }).ranges.at(-1)?.[1]).toBe(WINDOW);
  });
});

describe('TransferReceiver: hostile input (property-based)', () => {
  type Step =
    | { kind: 'data'; fileIndex: number; chunkIndex: number; lengthDelta: number }
    | { kind: 'written'; fileIndex: number; chunkIndex: number }
    | { kind: 'digest'; fileIndex: number; digest: string }
    | { kind: 'block-digest'; fileIndex: number; block: number; matching: boolean }
    | { kind: 'control'; message: TransferMessage }
    | { kind: 'time'; ms: number };

  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('data' as const), fileIndex: fc.integer({ min: 0, max: 6 }), chunkIndex: fc.integer({ min: 0, max: 7 }), lengthDelta: fc.oneof(fc.constant(0), fc.integer({ min: -2, max: 2 })) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('written' as const), fileIndex: fc.integer({ min: 0, max: 5 }), chunkIndex: fc.integer({ min: 0, max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('digest' as const), fileIndex: fc.integer({ min: 0, max: 5 }), digest: fc.stringMatching(/^[0-9a-f]{32}$/) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('block-digest' as const),
        fileIndex: fc.integer({ min: 0, max: 5 }),
        block: fc.integer({ min: 0, max: 4 }),
        // All data in this test is zeros: "matching" is the digest of a zero block.
        matching: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('control' as const),
        message: fc.constantFrom<TransferMessage>(
          offer(FILES),
          { type: 'offer-page', transferId: 1, entries: FILES },
          { type: 'credit', transferId: 1, chunks: 5 },
          { type: 'cancel', transferId: 1, from: 'sender', code: 'X', message: 'bye' },
          // What only a receiver sends, or nobody should: each must be refused, never obeyed.
          { type: 'accept', transferId: 1 },
          { type: 'decline', transferId: 1, code: 'USER_DECLINED', message: 'no' },
          { type: 'file-verified', transferId: 1, fileIndex: 1 },
          { type: 'complete', transferId: 1 },
          { type: 'gaps', transferId: 1, fileIndex: 1, ranges: [[0, 1]] },
          { type: 'have', transferId: 1, fileIndex: 1, complete: true, blocks: [] },
          { type: 'pause', transferId: 1, from: 'sender' },
          { type: 'resume-request', resumeKey: 'resume-key-0123456789a' },
          offer([{ kind: 'file', path: '../x', size: 1, mtime: 0 }]),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 500 }) }) },
  );

  it('never throws, never writes outside a file, keeps memory bounded, and only sends valid messages', () => {
    const zeroBlock = digestsOf(new Uint8Array(BLOCK_CHUNKS * CHUNK)).blocks[0] as string;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const runtime = new ManualRuntime();
        const sent: TransferMessage[] = [];
        const writes: Extract<ReceiverAction, { type: 'write' }>[] = [];
        let failedOrCancelled = false;
        let actionsAfterEnd = 0;
        const r = new TransferReceiver(1, {
          runtime,
          createHasher: hasher,
          sendControl: (m) => sent.push(m),
          onAction: (a) => {
            if (failedOrCancelled && a.type !== 'abort') actionsAfterEnd++;
            if (a.type === 'write') writes.push(a);
          },
          onEvent: (e) => {
            if (e.type === 'failed' || e.type === 'cancelled') failedOrCancelled = true;
          },
          windowChunks: WINDOW,
        });
        r.handle(offer(FILES));
        r.accept();
        for (const s of steps) {
          switch (s.kind) {
            case 'data': {
              const entry = FILES[s.fileIndex];
              const expected = entry?.kind === 'file' ? Math.max(0, Math.min(CHUNK, entry.size - s.chunkIndex * CHUNK)) : CHUNK;
              const length = Math.max(0, expected + s.lengthDelta);
              r.receiveData({ transferId: 1, fileIndex: s.fileIndex, chunkIndex: s.chunkIndex, length }, new Uint8Array(length));
              break;
            }
            case 'written':
              r.written(s.fileIndex, s.chunkIndex);
              break;
            case 'digest':
              r.handle({ type: 'file-digest', transferId: 1, fileIndex: s.fileIndex, digest: s.digest });
              break;
            case 'block-digest':
              r.handle({ type: 'block-digest', transferId: 1, fileIndex: s.fileIndex, block: s.block, digest: s.matching ? zeroBlock : '0'.repeat(32) });
              break;
            case 'control':
              r.handle(s.message);
              break;
            case 'time':
              runtime.advance(s.ms);
              break;
          }
          if (r.heldChunks > WINDOW * 2) return false;
        }
        for (const w of writes) {
          const entry = FILES[w.fileIndex];
          if (entry?.kind !== 'file' || w.offset + w.bytes.length > entry.size) return false;
        }
        for (const m of sent) ControlMessage.parse(m);
        return actionsAfterEnd === 0;
      }),
      { numRuns: 500 },
    );
  });
});

describe('frame decoders on arbitrary bytes', () => {
  it('either decode or throw a FerryError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeFrame, decodeDataFrame, (b: Uint8Array) => decodeControl(b)]) {
          try {
            decode(bytes);
          } catch (error) {
            if (!(error instanceof FerryError)) return false;
          }
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('reject every mutation of a valid data frame that breaks its length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 16 }), (payload, cut) => {
        const frame = encodeDataFrame({ transferId: 1, fileIndex: 2, chunkIndex: 3 }, payload);
        try {
          decodeDataFrame(frame.subarray(0, Math.max(0, frame.length - cut)));
          return false;
        } catch (error) {
          return error instanceof FerryError && error.code === 'DATA_FRAME_INVALID';
        }
      }),
    );
  });
});
