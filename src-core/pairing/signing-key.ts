import { ed25519 } from '@noble/curves/ed25519';
import { encodeUtf8 } from '../utf8.js';
import { encodeBase64 } from './pairing-session.js';
import { keyFingerprintWords, peerIdFromPublicKey, SESSION_AUTH_LABEL, sessionSigningInput } from './identity.js';
import { type NameCard, nameCardSigningInput } from './name-card.js';

const SESSION_PREFIX = encodeUtf8(SESSION_AUTH_LABEL);

/**
 * A device's Ed25519 identity key in use: its id and words, and the only two things it signs —
 * session transcripts and its own name card. Kept by main in the app and the CLI (on disk), by
 * the browser page in memory for one visit.
 */
export class SigningKey {
  readonly publicKey: Uint8Array;

  constructor(private readonly secretKey: Uint8Array) {
    this.publicKey = ed25519.getPublicKey(secretKey);
  }

  /** A new key from 32 random bytes. */
  static generate(randomBytes: (length: number) => Uint8Array): SigningKey {
    return new SigningKey(randomBytes(32));
  }

  get peerId(): string {
    return peerIdFromPublicKey(this.publicKey);
  }

  /** What others may know: never the private key. */
  get public(): { publicKey: string; peerId: string; fingerprintWords: string[] } {
    return { publicKey: encodeBase64(this.publicKey), peerId: this.peerId, fingerprintWords: keyFingerprintWords(this.publicKey) };
  }

  /**
   * Signs a session transcript for `role` — and only that: what is signed always carries the
   * session-authentication prefix, so this cannot be made to sign anything else.
   */
  signSession(transcript: Uint8Array, role: 'initiator' | 'responder'): Uint8Array {
    if (transcript[0] !== SESSION_PREFIX.length || !SESSION_PREFIX.every((b, i) => transcript[i + 1] === b)) {
      throw new Error('Not a session transcript.');
    }
    return ed25519.sign(sessionSigningInput(transcript, role), this.secretKey);
  }

  /** Signs this device's name card: the bytes are built here, from this device's own id. */
  signNameCard(name: string, issuedAt: number): NameCard {
    const signature = ed25519.sign(nameCardSigningInput(this.peerId, name, issuedAt), this.secretKey);
    return { name, publicKey: encodeBase64(this.publicKey), issuedAt, signature: encodeBase64(signature) };
  }
}
