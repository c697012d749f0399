import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TransferMessage } from '../wire/control.js';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';
import type { HasherFactory } from './hasher.js';
import { TransferSender } from './sender.js';

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

/** A sender of two files that has been accepted; `events` says what it told its device. */
function acceptedSender() {
  const events: string[] = [];
  const sent: TransferMessage[] = [];
  const sender = new TransferSender({
    transferId: 1,
    entries: [
      { kind: 'file', path: 'a.bin', size: 40_000, mtime: 0 },
      { kind: 'file', path: 'b.bin', size: 10, mtime: 0 },
    ],
    mode: 'reliable-ordered',
    chunkSize: 16 * 1024,
    blockChunks: 4,
    digest: 'xxh128',
    createHasher: hasher,
    sendControl: (m) => sent.push(m),
    onEvent: (e) => events.push(e.type === 'failed' ? `failed ${e.error.code}: ${e.error.message}` : e.type),
  });
  sender.start();
  sender.handle({ type: 'accept', transferId: 1 });
  return { sender, events, sent };
}

describe('TransferSender: "verified" only for what was sent and checked', () => {
  it('a receiver that says "complete" right after accept, before any data: the transfer fails as a protocol error, never completed', () => {
    const { sender, events } = acceptedSender();
    sender.handle({ type: 'complete', transferId: 1 });
    expect(events).toEqual(['accepted', expect.stringMatching(/^failed TRANSFER_PROTOCOL: .*"complete" before file 0 was verified/)]);
    expect(events).not.toContain('completed');
  });

  it('"file-verified" for a file whose digest was never sent fails the transfer too', () => {
    const { sender, events } = acceptedSender();
    sender.handle({ type: 'file-verified', transferId: 1, fileIndex: 1 });
    expect(events.at(-1)).toMatch(/^failed TRANSFER_PROTOCOL: .*"file-verified" for file 1 before it was sent/);
    expect(events).not.toContain('file-verified');
  });
});

describe('TransferSender: a receiver saying anything, in any order (property-based)', () => {
  const fileIndex = fc.integer({ min: -1, max: 3 });
  const message: fc.Arbitrary<TransferMessage> = fc.oneof(
    fc.constant<TransferMessage>({ type: 'accept', transferId: 1 }),
    fc.record({ type: fc.constant('decline' as const), transferId: fc.constant(1), code: fc.constant('USER_DECLINED'), message: fc.constant('no') }),
    fc.record({ type: fc.constant('credit' as const), transferId: fc.constant(1), chunks: fc.integer({ min: 1, max: 8 }) }),
    fc.record({
      type: fc.constant('gaps' as const),
      transferId: fc.constant(1),
      fileIndex,
      ranges: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 5 })), { maxLength: 3 }),
    }),
    fc.record({ type: fc.constant('file-verified' as const), transferId: fc.constant(1), fileIndex }),
    fc.constant<TransferMessage>({ type: 'complete', transferId: 1 }),
    fc.record({ type: fc.constant('have' as const), transferId: fc.constant(1), fileIndex, complete: fc.boolean(), blocks: fc.constant<[number, number][]>([]) }),
    fc.record({ type: fc.constant('cancel' as const), transferId: fc.constant(1), from: fc.constant('receiver' as const), code: fc.constant('X'), message: fc.constant('bye') }),
  ) as fc.Arbitrary<TransferMessage>;

  it('never throws, and says "completed" only after every file it sent was verified', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: message.map((m) => ({ m })) }, { weight: 3, arbitrary: fc.constant({ read: true }) }), { maxLength: 60 }), (steps) => {
        const { sender, events, sent } = acceptedSenderOf(10);
        for (const step of steps) {
          if ('m' in step) sender.handle(step.m);
          else {
            // The device reads what the sender asks for and hands it over, as the endpoint does.
            const request = sender.nextChunk();
            if (request) sender.chunkRead(request);
          }
          if (events.includes('completed')) {
            const digested = new Set(sent.filter((m) => m.type === 'file-digest').map((m) => (m as { fileIndex: number }).fileIndex));
            expect([...digested].sort()).toEqual([0, 1]);
            expect(events.filter((e) => e === 'file-verified')).toHaveLength(2);
            return;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** As acceptedSender, with files of `chunks` 16 KiB chunks and 10 bytes. */
function acceptedSenderOf(chunks: number) {
  const events: string[] = [];
  const sent: TransferMessage[] = [];
  const sender = new TransferSender({
    transferId: 1,
    entries: [
      { kind: 'file', path: 'a.bin', size: chunks * 16 * 1024, mtime: 0 },
      { kind: 'file', path: 'b.bin', size: 10, mtime: 0 },
    ],
    mode: 'reliable-ordered',
    chunkSize: 16 * 1024,
    blockChunks: 4,
    digest: 'xxh128',
    createHasher: hasher,
    sendControl: (m) => sent.push(m),
    onEvent: (e) => events.push(e.type),
  });
  sender.start();
  return { sender, events, sent };
}
