import { describe, expect, it } from 'vitest';
import { FerryError } from './errors.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

const samples = ['', 'hello', 'grüße', '日本語のテキスト', '🚢 ferry 🛳️', 'a\u0000b', '\u{10ffff}'];

describe('utf8', () => {
  it.each(samples)('encodes %j exactly like TextEncoder', (text) => {
    expect(encodeUtf8(text)).toEqual(new TextEncoder().encode(text));
  });

  it.each(samples)('round-trips %j', (text) => {
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });

  it('replaces a lone surrogate like TextEncoder does', () => {
    expect(encodeUtf8('a\ud800b')).toEqual(new TextEncoder().encode('a\ud800b'));
  });

  it('decodes long text across its internal chunking', () => {
    const text = 'ä€😀'.repeat(5000);
    expect(decodeUtf8(new TextEncoder().encode(text))).toBe(text);
  });

  it.each([
    ['truncated sequence', [0xe2, 0x82]],
    ['overlong slash', [0xc0, 0xaf]],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['stray continuation', [0x80]],
    ['invalid lead byte', [0xff]],
  ])('rejects %s as TextDecoder(fatal) does', (_name, bytes) => {
    const input = Uint8Array.from(bytes);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(input)).toThrow();
    expect(() => decodeUtf8(input)).toThrow(FerryError);
    try {
      decodeUtf8(input);
    } catch (error) {
      expect((error as FerryError).code).toBe('FRAME_INVALID_UTF8');
    }
  });
});
