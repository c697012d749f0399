import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it } from 'vitest';
import { PEER_ID_PATTERN } from '../peer-id.js';
import { createHashWasmHasherFactory } from '../transfer/hash-wasm-hasher.js';
import {
  channelBinding,
  keyFingerprintWords,
  peerIdFromPublicKey,
  sdpFingerprints,
  sessionSigningInput,
  sessionTranscript,
  shortAuthenticationString,
  verifySessionSignature,
} from './identity.js';

const key = () => {
  const secret = ed25519.utils.randomPrivateKey();
  return { secret, publicKey: ed25519.getPublicKey(secret) };
};

const SDP_A = 'v=0\r\na=fingerprint:sha-256 ab:cd:EF:01\r\na=setup:actpass\r\n';
const SDP_B = 'v=0\r\na=fingerprint:SHA-256 12:34:56:78\r\n';
const SDP_M = 'v=0\r\na=fingerprint:sha-256 66:66:66:66\r\n';

describe('device identity', () => {
  it('derives the peer id from the public key, and four fingerprint words', () => {
    const { publicKey } = key();
    expect(peerIdFromPublicKey(publicKey)).toMatch(PEER_ID_PATTERN);
    expect(peerIdFromPublicKey(publicKey)).toBe(peerIdFromPublicKey(new Uint8Array(publicKey)));
    expect(peerIdFromPublicKey(key().publicKey)).not.toBe(peerIdFromPublicKey(publicKey));
    expect(keyFingerprintWords(publicKey)).toHaveLength(4);
    expect(shortAuthenticationString(new Uint8Array(randomBytes(64)))).toHaveLength(3);
  });

  it('reads and normalises DTLS fingerprints; both ends of one session bind the same string', () => {
    expect(sdpFingerprints(SDP_A)).toEqual(['sha-256 AB:CD:EF:01']);
    expect(channelBinding(SDP_A, SDP_B)).toBe(channelBinding(SDP_B, SDP_A));
    // A relay in the middle runs two DTLS sessions: each side binds a different pair.
    expect(channelBinding(SDP_A, SDP_M)).not.toBe(channelBinding(SDP_M, SDP_B));
    expect(() => channelBinding('v=0\r\n', SDP_B)).toThrow(/no DTLS fingerprints/);
  });

  it('a session signature verifies for this transcript and role only', () => {
    const alice = key();
    const bob = key();
    const transcript = sessionTranscript({
      binding: channelBinding(SDP_A, SDP_B),
      initiator: { nonce: new Uint8Array(randomBytes(32)), publicKey: alice.publicKey },
      responder: { nonce: new Uint8Array(randomBytes(32)), publicKey: bob.publicKey },
    });
    const signature = ed25519.sign(sessionSigningInput(transcript, 'initiator'), alice.secret);
    expect(verifySessionSignature(alice.publicKey, transcript, 'initiator', signature)).toBe(true);
    expect(verifySessionSignature(alice.publicKey, transcript, 'responder', signature)).toBe(false); // reflected
    expect(verifySessionSignature(bob.publicKey, transcript, 'initiator', signature)).toBe(false); // wrong key
    const other = sessionTranscript({
      binding: channelBinding(SDP_A, SDP_M),
      initiator: { nonce: new Uint8Array(32), publicKey: alice.publicKey },
      responder: { nonce: new Uint8Array(32), publicKey: bob.publicKey },
    });
    expect(verifySessionSignature(alice.publicKey, other, 'initiator', signature)).toBe(false); // replayed elsewhere
    expect(verifySessionSignature(alice.publicKey, transcript, 'initiator', new Uint8Array(64))).toBe(false);
  });
});

describe('the session transcript, byte for byte (SPEC.md, "Session authentication: the exact bytes")', () => {
  it('matches the worked example: binding normalised, deduplicated and sorted; lv parts with LEB128 lengths', () => {
    const binding = channelBinding('v=0\r\na=fingerprint:SHA-256 aa:bb:cc\r\na=fingerprint:sha-256 AA:BB:CC\r\n', 'v=0\r\na=fingerprint:sha-256 11:22:33\r\n');
    expect(binding).toBe('sha-256 11:22:33\nsha-256 AA:BB:CC');
    const fill = (byte: number) => new Uint8Array(32).fill(byte);
    const transcript = sessionTranscript({ binding, initiator: { nonce: fill(1), publicKey: fill(2) }, responder: { nonce: fill(3), publicKey: fill(4) } });
    // The hex as SPEC.md writes it (one lv part a line): the code and the document agree.
    const specText = readFileSync(new URL('../SPEC.md', import.meta.url), 'utf8');
    const block = /\*\*Worked example\*\*[\s\S]*?```\n([\s\S]*?)```/.exec(specText)?.[1];
    expect(block).toBeDefined();
    expect(Buffer.from(transcript).toString('hex')).toBe(block?.replace(/\s+/g, ''));
    expect(transcript.length).toBe(188);
  });
});

describe('device ids and digests as SPEC.md writes them', () => {
  const specText = readFileSync(new URL('../SPEC.md', import.meta.url), 'utf8');
  it('derives the worked example id of "Device ids"', () => {
    const example = /the public key of 32 bytes\s+`02` has the id `(ferry-[a-z2-7]{16})`/.exec(specText)?.[1];
    expect(example).toBeDefined();
    expect(peerIdFromPublicKey(new Uint8Array(32).fill(2))).toBe(example);
  });
  it('gives the xxh128 digest of nothing that "Integrity" names', async () => {
    const named = /the\s+digest\s+of\s+nothing\s+is\s+`([0-9a-f]{32})`/.exec(specText)?.[1];
    expect(named).toBeDefined();
    expect((await createHashWasmHasherFactory())('xxh128').digest()).toBe(named);
  });
});
