import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedBytes } from './ordered-bytes.js';

describe('OrderedBytes', () => {
  it('hands on every byte once, in order, whatever order (and repeats) the chunks come in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.nat(), { maxLength: 60 }), async (chunks, size, shuffle) => {
        const whole = Uint8Array.from({ length: chunks * size }, (_, i) => i % 251);
        const order = [...Array(chunks).keys()];
        for (let i = 0; i < shuffle.length; i++) {
          const a = i % chunks;
          const b = (shuffle[i] as number) % chunks;
          [order[a], order[b]] = [order[b] as number, order[a] as number];
        }
        // Some chunks come twice (a repair of one that did arrive).
        const sends = [...order, ...shuffle.slice(0, 5).map((n) => n % chunks)];
        const out: number[] = [];
        const ordered = new OrderedBytes(async (bytes) => void out.push(...bytes));
        await Promise.all(sends.map((c) => ordered.write(c * size, whole.subarray(c * size, (c + 1) * size))));
        expect(Uint8Array.from(out)).toEqual(whole);
        expect(ordered.waiting).toBe(0);
        expect(ordered.delivered).toBe(whole.length);
      }),
    );
  });

  it('keeps early bytes as a copy (the writer may reuse its buffer) and waits for the consumer', async () => {
    const out: Uint8Array[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const ordered = new OrderedBytes(async (bytes) => {
      out.push(bytes.slice());
      await slow;
    });
    const buffer = Uint8Array.of(3, 4);
    await ordered.write(2, buffer);
    buffer.fill(9);
    expect(ordered.waiting).toBe(2);
    const first = ordered.write(0, Uint8Array.of(1, 2));
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    release();
    await first;
    expect(out.map((b) => [...b])).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
