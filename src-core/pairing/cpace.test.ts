import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FerryError } from '../errors.js';
import { encodeUtf8 } from '../utf8.js';
import { confirmationTag, constantTimeEqual, cpaceGenerator, CPaceParty } from './cpace.js';

/*
 * The published test vector for CPace on ristretto255 with SHA-512 (draft-irtf-cfrg-cpace,
 * testvectors.json, group "G_Coffee25519" = CPaceRistretto255), base64 as published.
 */
const VECTOR = {
  PRS: 'UGFzc3dvcmQ=',
  CI: 'b2MLQl9yZXNwb25kZXILQV9pbml0aWF0b3I=',
  sid: 'fktHkdao7wGbk2x5+38sVw==',
  g: 'pvyCw7iWj7suBv7oHKhYWG3qUNJI8MfKahiwkCows2s=',
  ya: '2j0jcAqeVpkliu+U3AYN/aXrth8Cpep3+tU/T/CXbQg=',
  ADa: 'QURh',
  Ya: '1A+yZaer6u55OdkaWF/ln3BT+YLCluxBPGJMZpMI+Ho=',
  yb: '0jFrRUcYw1Ni2D1p32Mg84V47VmEZRQ14pSXYtkAuA0=',
  ADb: 'QURi',
  Yb: 'CLz26Xd6nDE6PbbapRDy05hAMxnCNBvVBqkuZy634wc=',
  ISK_IR: 'TFRpoWsjZMS5ROvBp55R0WdK1H2ybocYFU9Z+uv6pS2DRvMKpYN3EX6yDVJ/LLxcdjgff9Ny6J34I5+H8uAu0Q==',
};
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const node = { randomBytes: (n: number) => new Uint8Array(randomBytes(n)) };

describe('CPace (ristretto255, SHA-512): the CFRG test vector', () => {
  const inputs = (ad: string) => ({ prs: b64(VECTOR.PRS), ci: b64(VECTOR.CI), sid: b64(VECTOR.sid), ad: b64(ad) });

  it('derives the generator, both shares, and the same ISK on both sides', () => {
    expect(Buffer.from(cpaceGenerator(b64(VECTOR.PRS), b64(VECTOR.CI), b64(VECTOR.sid)).toRawBytes()).toString('base64')).toBe(VECTOR.g);
    const a = new CPaceParty('initiator', inputs(VECTOR.ADa), node, b64(VECTOR.ya));
    const b = new CPaceParty('responder', inputs(VECTOR.ADb), node, b64(VECTOR.yb));
    expect(Buffer.from(a.share).toString('base64')).toBe(VECTOR.Ya);
    expect(Buffer.from(b.share).toString('base64')).toBe(VECTOR.Yb);
    expect(Buffer.from(a.finish(b.share, b64(VECTOR.ADb))).toString('base64')).toBe(VECTOR.ISK_IR);
    expect(Buffer.from(b.finish(a.share, b64(VECTOR.ADa))).toString('base64')).toBe(VECTOR.ISK_IR);
  });
});

describe('CPace as Ferry uses it', () => {
  const run = (codeA: string, codeB: string, ciA = 'ci', ciB = 'ci', adB = 'bob-key') => {
    const a = new CPaceParty('initiator', { prs: encodeUtf8(codeA), ci: encodeUtf8(ciA), sid: encodeUtf8('sid'), ad: encodeUtf8('alice-key') }, node);
    const b = new CPaceParty('responder', { prs: encodeUtf8(codeB), ci: encodeUtf8(ciB), sid: encodeUtf8('sid'), ad: encodeUtf8(adB) }, node);
    const iskA = a.finish(b.share, encodeUtf8(adB));
    const iskB = b.finish(a.share, encodeUtf8('alice-key'));
    // What each side sends and checks: the other's role's tag.
    return constantTimeEqual(confirmationTag(iskA, 'responder'), confirmationTag(iskB, 'responder')) && constantTimeEqual(confirmationTag(iskB, 'initiator'), confirmationTag(iskA, 'initiator'));
  };

  it('confirms with the same code, and fails with another code', () => {
    expect(run('orbit velvet', 'orbit velvet')).toBe(true);
    expect(run('orbit velvet', 'orbit velcro')).toBe(false);
  });

  it('fails when the channel differs between the sides (another DTLS fingerprint: a relay in the middle)', () => {
    expect(run('orbit velvet', 'orbit velvet', 'fp-a fp-b', 'fp-a fp-m')).toBe(false);
  });

  it('fails when the associated data is changed on the way (another identity key)', () => {
    const a = new CPaceParty('initiator', { prs: encodeUtf8('x'), ci: encodeUtf8('ci'), sid: encodeUtf8('s'), ad: encodeUtf8('A') }, node);
    const b = new CPaceParty('responder', { prs: encodeUtf8('x'), ci: encodeUtf8('ci'), sid: encodeUtf8('s'), ad: encodeUtf8('B') }, node);
    const seenByA = a.finish(b.share, encodeUtf8('B-but-swapped'));
    const seenByB = b.finish(a.share, encodeUtf8('A'));
    expect(constantTimeEqual(seenByA, seenByB)).toBe(false);
  });

  it('refuses an invalid share and the identity element', () => {
    const a = new CPaceParty('initiator', { prs: encodeUtf8('x'), ci: encodeUtf8('ci'), sid: encodeUtf8('s'), ad: encodeUtf8('A') }, node);
    expect(() => a.finish(new Uint8Array(32).fill(0xff), encodeUtf8('B'))).toThrow(FerryError);
    expect(() => a.finish(new Uint8Array(32), encodeUtf8('B'))).toThrow(/invalid key share/);
  });
});
