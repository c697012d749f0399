import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHashWasmHasherFactory, type DeliveryMode, DELIVERY_MODES, type PeerChannels, type Runtime, type TimerHandle } from '../../../src-core/index.js';
import { type ChannelFaults, createMemoryChannelPair } from '../../../src-core/testing/memory-channel.js';
import { LocalConformancePeer } from './peer.js';
import { type ConformanceLink, defineTransferConformance } from './suite.js';

const realTime: Runtime = {
  now: () => Date.now(),
  setTimer: (ms, cb) => setTimeout(cb, ms) as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};

/** Seeded randomness so a failing fault pattern can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function memoryLink(faultsFor: (mode: DeliveryMode) => ChannelFaults, tuning?: { repairAfterMs?: number }) {
  return async (root: string): Promise<ConformanceLink> => {
    const random = seeded(7);
    // About 40 MB/s per channel: fast, yet slow enough that buffers fill and backpressure works.
    const bytesPerMs = 40_000;
    const [controlA, controlB] = createMemoryChannelPair({ runtime: realTime, bytesPerMs });
    const dataA = {} as PeerChannels['data'];
    const dataB = {} as PeerChannels['data'];
    for (const mode of DELIVERY_MODES) {
      [dataA[mode], dataB[mode]] = createMemoryChannelPair({ runtime: realTime, bytesPerMs, faults: faultsFor(mode), random });
    }
    const hasher = await createHashWasmHasherFactory();
    const a = await LocalConformancePeer.create('Alice', join(root, 'alice'), { control: controlA, data: dataA }, realTime, hasher, tuning);
    const b = await LocalConformancePeer.create('Bob', join(root, 'bob'), { control: controlB, data: dataB }, realTime, hasher, tuning);
    a.start();
    b.start();
    await Promise.all([a.opened, b.opened]);
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        for (const channel of [controlA, controlB, ...Object.values(dataA), ...Object.values(dataB)]) channel.close();
      },
    };
  };
}

defineTransferConformance('in memory, clean', { createLink: memoryLink(() => ({})) });

// What each mode's channel may do to messages: reliable channels never lose, the unordered one
// reorders, the partially reliable one loses, duplicates and reorders.
defineTransferConformance('in memory, with faults', {
  createLink: memoryLink(
    (mode) => {
      switch (mode) {
        case 'reliable-ordered':
          return {};
        case 'reliable-unordered':
          return { reorder: 0.2 };
        case 'partial':
          return { drop: 0.05, duplicate: 0.02, reorder: 0.1 };
        default: {
          const unreachable: never = mode;
          return unreachable;
        }
      }
    },
    { repairAfterMs: 60 },
  ),
  modes: ['partial', 'reliable-unordered'],
});
