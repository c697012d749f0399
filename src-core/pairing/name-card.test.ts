import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it } from 'vitest';
import { peerIdFromPublicKey, sessionSigningInput, sessionTranscript } from './identity.js';
import { type NameCard, nameCardSigningInput, verifiedCardName } from './name-card.js';
import { encodeBase64 } from './pairing-session.js';

function device(seed: number) {
  const secret = new Uint8Array(32).fill(seed);
  const publicKey = ed25519.getPublicKey(secret);
  return { secret, publicKey, peerId: peerIdFromPublicKey(publicKey) };
}

function card(d: ReturnType<typeof device>, name: string, issuedAt = 1_700_000_000_000, peerId = d.peerId): NameCard {
  return { name, publicKey: encodeBase64(d.publicKey), issuedAt, signature: encodeBase64(ed25519.sign(nameCardSigningInput(peerId, name, issuedAt), d.secret)) };
}

describe('name cards: a name bound to the key the id derives from', () => {
  const alice = device(1);
  const mallory = device(2);

  it('a device’s own card proves its name', () => {
    expect(verifiedCardName(alice.peerId, card(alice, 'Alice’s laptop'))).toBe('Alice’s laptop');
  });

  it('no device shows under another’s id: its own key derives another id', () => {
    expect(verifiedCardName(alice.peerId, card(mallory, 'Alice’s laptop', 1, alice.peerId))).toBeUndefined();
  });

  it('a changed name, time or signature proves nothing', () => {
    const good = card(alice, 'Alice');
    expect(verifiedCardName(alice.peerId, { ...good, name: 'Bob' })).toBeUndefined();
    expect(verifiedCardName(alice.peerId, { ...good, issuedAt: good.issuedAt + 1 })).toBeUndefined();
    expect(verifiedCardName(alice.peerId, { ...good, signature: card(alice, 'Other').signature })).toBeUndefined();
  });

  it('malformed cards are refused, not thrown: wrong shapes, extra fields, control characters, long names', () => {
    for (const bad of [null, 'x', {}, { ...card(alice, 'A'), extra: 1 }, { ...card(alice, 'A'), publicKey: 'AAAA' }, card(alice, 'A\u0007'), card(alice, 'x'.repeat(65))]) {
      expect(verifiedCardName(alice.peerId, bad)).toBeUndefined();
    }
  });

  it('a session signature is never a name card (different signed bytes)', () => {
    const transcript = sessionTranscript({ binding: 'b', initiator: { nonce: new Uint8Array(32), publicKey: alice.publicKey }, responder: { nonce: new Uint8Array(32), publicKey: mallory.publicKey } });
    const sessionSignature = ed25519.sign(sessionSigningInput(transcript, 'initiator'), alice.secret);
    expect(verifiedCardName(alice.peerId, { ...card(alice, 'A'), signature: encodeBase64(sessionSignature) })).toBeUndefined();
    expect(nameCardSigningInput(alice.peerId, 'A', 1)[0]).not.toBe(sessionSigningInput(transcript, 'initiator')[0]);
  });
});
