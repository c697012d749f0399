import { describe, expect, it } from 'vitest';
import { peerIdFromPublicKey, sessionTranscript, verifySessionSignature } from './identity.js';
import { verifiedCardName } from './name-card.js';
import { SigningKey } from './signing-key.js';

const fill = (byte: number) => (length: number) => new Uint8Array(length).fill(byte);

describe('SigningKey', () => {
  const key = SigningKey.generate(fill(7));
  const other = SigningKey.generate(fill(9));
  const transcript = sessionTranscript({ binding: 'fp', initiator: { nonce: fill(1)(32), publicKey: key.publicKey }, responder: { nonce: fill(2)(32), publicKey: other.publicKey } });

  it('signs session transcripts for one role, checked by the verifier', () => {
    const signature = key.signSession(transcript, 'initiator');
    expect(verifySessionSignature(key.publicKey, transcript, 'initiator', signature)).toBe(true);
    expect(verifySessionSignature(key.publicKey, transcript, 'responder', signature)).toBe(false);
    expect(verifySessionSignature(other.publicKey, transcript, 'initiator', signature)).toBe(false);
  });

  it('signs nothing that is not a session transcript', () => {
    expect(() => key.signSession(new TextEncoder().encode('pay Mallory 100'), 'initiator')).toThrow('Not a session transcript.');
  });

  it('signs its own name card, under its own id only', () => {
    const card = key.signNameCard('Ada’s browser', 1_000);
    expect(key.public.peerId).toBe(peerIdFromPublicKey(key.publicKey));
    expect(verifiedCardName(key.peerId, card)).toBe('Ada’s browser');
    expect(verifiedCardName(other.peerId, card)).toBeUndefined();
  });
});
