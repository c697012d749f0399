import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHashWasmHasherFactory } from './hash-wasm-hasher.js';

describe('hash-wasm hashers with saved state', () => {
  it('interleaved streams give the same digests as one-shot hashing', async () => {
    const factory = await createHashWasmHasherFactory();
    const a = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const b = new Uint8Array(200_000).map((_, i) => (i * 17 + 3) & 0xff);
    const ha = factory('sha256');
    const hb = factory('sha256');
    for (let i = 0; i < 3; i++) {
      ha.update(a.subarray(i * 100_000, (i + 1) * 100_000));
      if (i < 2) hb.update(b.subarray(i * 100_000, (i + 1) * 100_000));
    }
    expect(ha.digest()).toBe(createHash('sha256').update(a).digest('hex'));
    expect(hb.digest()).toBe(createHash('sha256').update(b).digest('hex'));
  });

  it('gives the known xxh128 and blake3 digests of the empty input', async () => {
    const factory = await createHashWasmHasherFactory();
    expect(factory('xxh128').digest()).toBe('99aa06d3014798d86001c324468d497f');
    expect(factory('blake3').digest()).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });
});
