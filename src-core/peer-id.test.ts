import { describe, expect, it } from 'vitest';
import { createPeerId, parsePeerId, PEER_ID_PATTERN } from './peer-id.js';
import { ManualRuntime } from './testing/manual-runtime.js';

describe('peer ids', () => {
  it('creates ids that match the pattern and differ', () => {
    const runtime = new ManualRuntime();
    const ids = new Set(Array.from({ length: 100 }, () => createPeerId(runtime)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(PEER_ID_PATTERN);
  });

  it('accepts pasted ids with stray spaces and capitals', () => {
    expect(parsePeerId('  FERRY-ABCDEFGHIJKLMNOP ')).toBe('ferry-abcdefghijklmnop');
  });

  it.each(['', 'ferry-', 'ferry-abc', 'peer-abcdefghijklmnop', 'ferry-abcdefghijklmno1', '../ferry'])(
    'rejects %j with a plain explanation',
    (input) => {
      expect(() => parsePeerId(input)).toThrow(/not a Ferry device id/);
    },
  );
});
