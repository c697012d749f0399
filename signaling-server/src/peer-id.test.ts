import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPeerId, PEER_ID_PATTERN } from './peer-id.js';

describe('peer id format', () => {
  it('is the same pattern as the app\'s (src-core/peer-id.ts), read as text: the server imports no app code', () => {
    const source = readFileSync(new URL('../../src-core/peer-id.ts', import.meta.url), 'utf8');
    const match = /export const PEER_ID_PATTERN = (\/.+\/[a-z]*);/.exec(source);
    expect(match?.[1]).toBe(String(PEER_ID_PATTERN));
  });

  it('accepts ferry- and 16 base32 characters only', () => {
    expect(isPeerId('ferry-abcdefghijklmn27')).toBe(true);
    for (const bad of ['ferry-abcdefghijklmn28', 'ferry-ABCDEFGHIJKLMNOP', 'ferry-abc', 'Ferry-abcdefghijklmnop', 'ferry-abcdefghijklmnop\n', 42, undefined, ['ferry-abcdefghijklmnop']]) {
      expect(isPeerId(bad)).toBe(false);
    }
  });
});
