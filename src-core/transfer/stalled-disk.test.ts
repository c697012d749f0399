import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryError } from '../errors.js';
import { createMemoryChannelPair } from '../testing/memory-channel.js';
import { MemorySource } from '../testing/memory-files.js';
import type { TransferMessage } from '../wire/control.js';
import { type FileSink, TransferEndpoint } from './endpoint.js';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';
import type { HasherFactory } from './hasher.js';
import { realTimeRuntime } from '../testing/real-time-runtime.js';

const runtime = realTimeRuntime;

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

describe('a receiving disk that stops answering', () => {
  it('fails the transfer in words on both sides once a write outlasts the deadline, and removes the partial files', async () => {
    let aborted = false;
    let writes = 0;
    // The disk takes the first writes, then hangs (a dead USB drive, a stuck network share).
    const hanging: FileSink = {
      write: () => (++writes <= 3 ? Promise.resolve() : new Promise<void>(() => {})),
      finalize: async () => {},
      abort: async () => void (aborted = true),
    };
    const [dataA, dataB] = createMemoryChannelPair({ runtime, bytesPerMs: 10_000 });
    const late: { b?: TransferEndpoint } = {};
    const a = new TransferEndpoint({
      runtime,
      createHasher: hasher,
      sendControl: (m) => setTimeout(() => late.b?.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0),
      dataChannels: () => [dataA],
      onIncoming: (_o, d) => d.decline(),
    });
    let received: Promise<void> | undefined;
    const b = new TransferEndpoint({
      runtime,
      createHasher: hasher,
      sendControl: (m) => setTimeout(() => a.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0),
      dataChannels: () => [],
      onIncoming: (_offer, decision, handle) => {
        received = handle.done;
        decision.accept(hanging);
      },
      writeDeadlineMs: 200,
    });
    late.b = b;
    dataB.onMessage((frame) => b.handleData(frame));
    const size = 4 * 1024 * 1024;
    const started = Date.now();
    const sent = a.send({ entries: [{ kind: 'file', path: 'x.bin', size, mtime: 0 }], source: new MemorySource(new Map([[0, new Uint8Array(size)]])), chunkSize: 16 * 1024 }).done;
    const [senderError, receiverError] = (await Promise.all([sent.catch((e: unknown) => e), new Promise((r) => setTimeout(r, 50)).then(() => received?.catch((e: unknown) => e))])) as [FerryError, FerryError];
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(receiverError).toMatchObject({ code: 'SINK_FAILED', message: expect.stringMatching(/disk did not finish a write within 0.2 s/) });
    expect(senderError).toMatchObject({ code: 'TRANSFER_CANCELLED', message: expect.stringMatching(/disk did not finish a write/) });
    expect(aborted).toBe(true);
  });
});
