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
