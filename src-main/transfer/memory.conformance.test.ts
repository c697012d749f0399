import { type DeliveryMode, DELIVERY_MODES, type PeerChannels, type Runtime, type TimerHandle } from '../../src-core/index.js';
import { createMemoryChannelPair, type ChannelFaults } from '../../src-core/testing/memory-channel.js';
import { type ConformanceLink, defineTransferConformance } from './conformance-suite.js';

const realTime: Runtime = {
  now: () => Date.now(),
  setTimer: (ms, cb) => setTimeout(cb, ms) as unknown as TimerHandle,
  clearTimer: (h) => clearTimeout(h as unknown as NodeJS.Timeout),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
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

function memoryLink(faultsFor: (mode: DeliveryMode) => ChannelFaults, seed = 7): () => Promise<ConformanceLink> {
  return async () => {
    const random = seeded(seed);
    // About 40 MB/s per channel: enough that the buffer fills and backpressure is exercised.
    const bytesPerMs = 40_000;
    const [controlA, controlB] = createMemoryChannelPair({ runtime: realTime, bytesPerMs });
    const a: Partial<PeerChannels['data']> = {};
    const b: Partial<PeerChannels['data']> = {};
    for (const mode of DELIVERY_MODES) {
      const [x, y] = createMemoryChannelPair({ runtime: realTime, bytesPerMs, faults: faultsFor(mode), random });
      a[mode] = x;
      b[mode] = y;
    }
    const channels = [controlA, controlB, ...Object.values(a), ...Object.values(b)];
    return {
      runtime: realTime,
      a: { control: controlA, data: a as PeerChannels['data'] },
      b: { control: controlB, data: b as PeerChannels['data'] },
      close: async () => {
        for (const channel of channels) channel.close();
      },
    };
  };
}

defineTransferConformance('in memory, clean', { createLink: memoryLink(() => ({})) });

// What each mode's channel may do to messages: reliable channels never lose, the unordered one
// reorders, the partially reliable one loses, duplicates and reorders.
defineTransferConformance('in memory, with faults', {
  createLink: memoryLink((mode) => {
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
  }),
  modes: ['reliable-unordered', 'partial'],
  tuning: { repairAfterMs: 60 },
});
