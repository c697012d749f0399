import { createMemoryPair } from './memory-pair.js';
import { defineEngineConformance } from './suite.js';

// Two engines in this process on the memory network: the whole suite, then faults and hostile
// input, which only a wire the test owns allows.
defineEngineConformance('two engines on the memory network', {
  createPair: () => createMemoryPair(),
  largeBytes: 12 * 1024 * 1024 + 7,
  faults: true,
  timeoutMs: 30_000,
});
