import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PEER_ID_PATTERN } from '../peer-id.js';
import { createPairingCode, formatPairingCode, pairingPeerId, pairingSecret, parsePairingCode } from './code.js';

const node = { randomBytes: (n: number) => new Uint8Array(randomBytes(n)) };

describe('pairing codes', () => {
  it('look like 427-orbit-velvet and survive being read aloud and typed back', () => {
    const code = createPairingCode(node);
    const text = formatPairingCode(code);
    expect(text).toMatch(/^[1-9]\d{2}-[a-z]+-[a-z]+$/);
    expect(parsePairingCode(`  ${text.toUpperCase().replace(/-/g, ' ')} `)).toEqual(code);
    expect(parsePairingCode('427 - orbit velvet')).toEqual({ slot: 427, words: ['orbit', 'velvet'] });
  });

  it('say what is wrong with a mistyped code', () => {
    expect(() => parsePairingCode('orbit-velvet')).toThrow(/starts with a three-digit number/);
    expect(() => parsePairingCode('42-orbit-velvet')).toThrow(/three-digit/);
    expect(() => parsePairingCode('427-orbit')).toThrow(/a number and 2 words/);
    expect(() => parsePairingCode('427-orbit-velvett')).toThrow(/"velvett" is not a word/);
  });

  it('route by the slot alone: the peer id does not depend on the words', () => {
    expect(pairingPeerId(427)).toMatch(PEER_ID_PATTERN);
    expect(pairingPeerId(427)).toBe(pairingPeerId(parsePairingCode('427-abandon-zoo').slot));
    expect(pairingPeerId(427)).not.toBe(pairingPeerId(428));
    expect(new TextDecoder().decode(pairingSecret({ slot: 427, words: ['orbit', 'velvet'] }))).toBe('orbit velvet');
  });

  it('spread slots and words evenly (no bias a guesser could use)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const { words } = createPairingCode(node);
      counts.set(words[0] as string, (counts.get(words[0] as string) ?? 0) + 1);
    }
    // 20,000 draws over 2048 words: about 9.8 each; no word should be wildly favoured.
    expect(counts.size).toBeGreaterThan(1900);
    expect(Math.max(...counts.values())).toBeLessThan(35);
  });
});
