import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemorySink, MemorySource } from '../testing/memory-files.js';
import { createMemoryChannelPair, type ChannelFaults, type MemoryChannel } from '../testing/memory-channel.js';
import { decodeDataFrame } from '../wire/data-frame.js';
import { DELIVERY_MODES, type DeliveryMode, type ManifestEntry, type TransferMessage } from '../wire/control.js';
import { TransferEndpoint, type TransferEndpointOptions } from './endpoint.js';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';
import type { HasherFactory } from './hasher.js';
import type { TransferReceiver } from './receiver.js';
import type { FerryError } from '../errors.js';
import { realTimeRuntime } from '../testing/real-time-runtime.js';

const runtime = realTimeRuntime;

let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

/** Two endpoints whose control messages pass through JSON (as on the wire) and data through memory channels. */
function endpoints(options: { faults?: ChannelFaults; sinkDelayMs?: number; bytesPerMs?: number; tuning?: Partial<TransferEndpointOptions>; stripes?: number }) {
  const channels: Record<DeliveryMode, [MemoryChannel, MemoryChannel]> = {} as Record<DeliveryMode, [MemoryChannel, MemoryChannel]>;
  // Extra channel pairs per mode: the data channels of other connections to the same peer.
  const stripes: Array<Record<DeliveryMode, [MemoryChannel, MemoryChannel]>> = [];
  let seed = 99;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  for (const mode of DELIVERY_MODES) {
    channels[mode] = createMemoryChannelPair({
      runtime,
      bytesPerMs: options.bytesPerMs ?? 20_000,
      random,
      ...(mode === 'partial' && options.faults ? { faults: options.faults } : {}),
    });
  }
  for (let i = 0; i < (options.stripes ?? 0); i++) {
    const stripe = {} as Record<DeliveryMode, [MemoryChannel, MemoryChannel]>;
    for (const mode of DELIVERY_MODES) stripe[mode] = createMemoryChannelPair({ runtime, bytesPerMs: options.bytesPerMs ?? 20_000 });
    stripes.push(stripe);
  }
  const open = (side: 0 | 1) => (mode: DeliveryMode) => [channels[mode][side], ...stripes.map((s) => s[mode][side])].filter((c) => c.open);
  const sinks: MemorySink[] = [];
  // Control messages take a JSON round trip, as on the wire, and arrive asynchronously.
  const late: { b?: TransferEndpoint } = {};
  const toB = (m: TransferMessage) => setTimeout(() => late.b?.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0);
  const a = new TransferEndpoint({
    runtime,
    createHasher: hasher,
    sendControl: toB,
    dataChannels: open(0),
    onIncoming: (_o, d) => d.decline(),
    ...options.tuning,
  });
  const b = new TransferEndpoint({
    runtime,
    createHasher: hasher,
    sendControl: (m) => setTimeout(() => a.handleControl(JSON.parse(JSON.stringify(m)) as TransferMessage), 0),
    dataChannels: open(1),
    onIncoming: (offer, decision) => {
      const sizes = new Map(offer.entries.map((e, i) => [i, e.kind === 'file' ? e.size : 0]));
      const sink = new MemorySink(sizes, options.sinkDelayMs ? { runtime, writeDelayMs: options.sinkDelayMs } : undefined);
      sinks.push(sink);
      decision.accept(sink);
    },
    ...options.tuning,
  });
  late.b = b;
  for (const mode of DELIVERY_MODES) {
    for (const pair of [channels[mode], ...stripes.map((s) => s[mode])]) {
      pair[1].onMessage((f) => b.handleData(f));
      pair[0].onClose(() => a.dataChannelClosed(pair[0]));
    }
  }
  return { a, b, channels, stripes, sinks };
}

function oneFile(size: number): { entries: ManifestEntry[]; bytes: Uint8Array } {
  return { entries: [{ kind: 'file', path: 'data.bin', size, mtime: 0 }], bytes: new Uint8Array(randomBytes(size)) };
}

describe('TransferEndpoint over memory channels', () => {
  it('repairs a lossy partial channel until the file is whole', async () => {
    const { a, channels, sinks } = endpoints({ faults: { drop: 0.1, duplicate: 0.05, reorder: 0.1 }, tuning: { repairAfterMs: 30 } });
    const { entries, bytes } = oneFile(2 * 1024 * 1024 + 77);
    await a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), mode: 'partial', chunkSize: 16 * 1024 }).done;
    expect(channels.partial[0].stats.dropped).toBeGreaterThan(5);
    expect(channels.partial[0].stats.duplicated).toBeGreaterThan(0);
    expect(Buffer.from(sinks[0]?.files.get(0) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('keeps the receiver within its window and the sender within its high-water mark when the disk is slow', async () => {
    const windowChunks = 16;
    const highWaterMark = 128 * 1024;
    const { a, b, channels, sinks } = endpoints({ sinkDelayMs: 3, tuning: { windowChunks, highWaterMark, lowWaterMark: 32 * 1024 } });
    const { entries, bytes } = oneFile(1024 * 1024);
    const chunkSize = 16 * 1024;
    let maxHeld = 0;
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      const incoming = (b as unknown as { incoming: Map<number, TransferReceiver> }).incoming;
      for (const receiver of incoming.values()) maxHeld = Math.max(maxHeld, receiver.heldChunks);
      maxBuffered = Math.max(maxBuffered, channels['reliable-ordered'][0].bufferedAmount);
    }, 1);
    const original = channels['reliable-ordered'][0].send.bind(channels['reliable-ordered'][0]);
    channels['reliable-ordered'][0].send = (frame) => {
      original(frame);
      maxBuffered = Math.max(maxBuffered, channels['reliable-ordered'][0].bufferedAmount);
    };
    await a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), chunkSize }).done;
    clearInterval(sampler);
    expect(Buffer.from(sinks[0]?.files.get(0) ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(windowChunks);
    expect(maxBuffered).toBeLessThan(highWaterMark + chunkSize + 64);
  });

  /** Flips the last payload byte of the data frames `damage` picks (by chunk index and how often it was seen). */
  function damageFrames(channel: MemoryChannel, damage: (chunkIndex: number, seen: number) => boolean): void {
    const original = channel.send.bind(channel);
    const seen = new Map<number, number>();
    channel.send = (frame) => {
      const copy = frame.slice();
      const { chunkIndex } = decodeDataFrame(copy).header;
      const times = (seen.get(chunkIndex) ?? 0) + 1;
      seen.set(chunkIndex, times);
      if (damage(chunkIndex, times)) copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
      original(copy);
    };
  }

  for (const mode of DELIVERY_MODES) {
    it(`asks again for a damaged block, and only that block, until the file is whole (${mode})`, async () => {
      const { a, channels, sinks } = endpoints({});
      damageFrames(channels[mode][0], (chunk, seen) => chunk === 5 && seen === 1);
      const sentChunks: number[] = [];
      const original = channels[mode][0].send.bind(channels[mode][0]);
      channels[mode][0].send = (frame) => {
        sentChunks.push(decodeDataFrame(frame).header.chunkIndex);
        original(frame);
      };
      const gaps: TransferMessage[] = [];
      const toA = a.handleControl.bind(a);
      a.handleControl = (m) => {
        if (m.type === 'gaps') gaps.push(m);
        toA(m);
      };
      const { entries, bytes } = oneFile(20 * 16 * 1024 + 99); // 21 chunks: blocks of 4 → 6 blocks
      await a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), mode, chunkSize: 16 * 1024, blockChunks: 4 }).done;
      expect(Buffer.from(sinks[0]?.files.get(0) ?? []).equals(Buffer.from(bytes))).toBe(true);
      // Chunk 5 is in block 1 (chunks 4-7): those four, and nothing else, went twice.
      expect(gaps).toEqual([expect.objectContaining({ type: 'gaps', fileIndex: 0, ranges: [[4, 8]] })]);
      const resent = sentChunks.filter((c, i) => sentChunks.indexOf(c) !== i).sort((x, y) => x - y);
      expect(resent).toEqual([4, 5, 6, 7]);
    });
  }

  it('fails with FILE_DIGEST_MISMATCH when a block keeps arriving damaged, and aborts the sink', async () => {
    const { a, channels, sinks } = endpoints({});
    damageFrames(channels['reliable-ordered'][0], (chunk) => chunk === 2);
    const { entries, bytes } = oneFile(200_000);
    const error = await a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), chunkSize: 16 * 1024, blockChunks: 4 }).done.catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('TRANSFER_CANCELLED');
    expect(String((error as Error).message)).toMatch(/keeps arriving damaged \(block 0 did not match the sender's digest 4 times\)/);
    await new Promise((r) => setTimeout(r, 20));
    expect(sinks[0]?.aborted).toBe(true);
    expect(sinks[0]?.finalized.size).toBe(0);
  });

  it('stripes a transfer over several connections, using each, and the file arrives whole', async () => {
    const { a, channels, stripes, sinks } = endpoints({ stripes: 2, bytesPerMs: 5_000 });
    const { entries, bytes } = oneFile(3 * 1024 * 1024 + 5);
    await a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), chunkSize: 16 * 1024 }).done;
    expect(Buffer.from(sinks[0]?.files.get(0) ?? []).equals(Buffer.from(bytes))).toBe(true);
    const carried = [channels['reliable-ordered'][0], ...stripes.map((s) => s['reliable-ordered'][0])].map((c) => c.stats.sent);
    // 193 data frames over three connections of equal speed: each carries a fair share.
    for (const n of carried) expect(n).toBeGreaterThan(40);
  });

  it('a message on a data channel that is no data frame fails the incoming transfer in words, as the peer’s doing, never as a cancel', async () => {
    const { a, b } = endpoints({ bytesPerMs: 500 });
    let incoming: Promise<string> | undefined;
    const onIncoming = (b as unknown as { options: TransferEndpointOptions }).options.onIncoming;
    (b as unknown as { options: TransferEndpointOptions }).options.onIncoming = (offer, decision, handle) => {
      incoming = handle.done.then(() => 'ok', (e: FerryError) => `${e.code}: ${e.message}`);
      onIncoming(offer, decision, handle);
    };
    const { entries, bytes } = oneFile(1024 * 1024);
    const sent = a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), mode: 'reliable-ordered', chunkSize: 16 * 1024 });
    await new Promise((r) => setTimeout(r, 50));
    // A control frame (kind 0x01) where a data frame belongs, longer than a data frame's header.
    b.handleData(new Uint8Array([0x01, ...new TextEncoder().encode('{"type":"text","id":"x","body":"hello there"}')]));
    expect(await incoming).toMatch(/^DATA_FRAME_INVALID: The other device sent data Ferry could not accept \(Not a data frame\.\)/);
    expect(await sent.done.then(() => 'ok', (e: FerryError) => e.code)).not.toBe('ok');
  });

  it('a stripe that closes mid-transfer fails a reliable transfer on both sides with CHANNEL_CLOSED; partial mode repairs and completes', async () => {
    for (const mode of ['reliable-ordered', 'partial'] as const) {
      const { a, b, stripes, sinks } = endpoints({ stripes: 1, bytesPerMs: 2_000, tuning: { repairAfterMs: 30 } });
      let incoming: Promise<unknown> | undefined;
      const onIncoming = (b as unknown as { options: TransferEndpointOptions }).options.onIncoming;
      (b as unknown as { options: TransferEndpointOptions }).options.onIncoming = (offer, decision, handle) => {
        incoming = handle.done.then(() => 'ok', (e: { code: string }) => e.code);
        onIncoming(offer, decision, handle);
      };
      const { entries, bytes } = oneFile(2 * 1024 * 1024);
      const handle = a.send({ entries, source: new MemorySource(new Map([[0, bytes]])), mode, chunkSize: 16 * 1024 });
      const stripe = stripes[0]?.[mode][0] as MemoryChannel;
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (stripe.stats.sent > 10) {
            clearInterval(check);
            resolve();
          }
        }, 1);
      });
      stripe.close();
      const outcome = await handle.done.then(() => 'ok', (e: { code: string }) => e.code);
      if (mode === 'partial') {
        expect(outcome).toBe('ok');
        expect(Buffer.from(sinks[0]?.files.get(0) ?? []).equals(Buffer.from(bytes))).toBe(true);
      } else {
        expect(outcome).toBe('CHANNEL_CLOSED');
        expect(await incoming).toBe('TRANSFER_CANCELLED');
        await new Promise((r) => setTimeout(r, 20));
        expect(sinks[0]?.aborted).toBe(true);
      }
    }
  });
});
