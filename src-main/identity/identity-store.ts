import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519';
import { z } from 'zod';
import { decodeBase64, encodeBase64, keyFingerprintWords, type NameCard, nameCardSigningInput, peerIdFromPublicKey, sessionSigningInput } from '../../src-core/index.js';
import { writeFileAtomic } from '../settings/atomic-write.js';

/** Encryption at rest by the OS (Electron's safeStorage in the app); absent where there is none. */
export interface SecretBox {
  readonly kind: string;
  encrypt(plain: Uint8Array): Uint8Array;
  decrypt(sealed: Uint8Array): Uint8Array;
}

const IdentityFile = z.strictObject({
  version: z.literal(1),
  publicKey: z.string(),
  secret: z.strictObject({ sealedBy: z.string().nullable(), data: z.string() }),
});

/** What the window may know of this device's identity: never the private key. */
export interface PublicIdentity {
  publicKey: string;
  peerId: string;
  fingerprintWords: string[];
}

/**
 * This device's Ed25519 identity, kept by main: created on first run, the private key sealed by
 * the OS where it can be (`box`), written atomically with owner-only permissions, and used only
 * through sign(). A file that cannot be read is kept aside and a new identity made (paired
 * devices will then fail to authenticate this one, and say so).
 */
export class IdentityStore {
  private constructor(
    private readonly secretKey: Uint8Array,
    readonly publicKey: Uint8Array,
  ) {}

  static async open(options: { file: string; box?: SecretBox; warn?: (message: string) => void; now?: () => number }): Promise<IdentityStore> {
    const warn = options.warn ?? (() => {});
    try {
      const parsed = IdentityFile.parse(JSON.parse(await readFile(options.file, 'utf8')));
      const data = decodeBase64(parsed.secret.data);
      let secret: Uint8Array;
      if (parsed.secret.sealedBy === null) secret = data;
      else if (options.box?.kind === parsed.secret.sealedBy) secret = options.box.decrypt(data);
      else throw new Error(`the key is sealed by ${parsed.secret.sealedBy}, which is not available`);
      const publicKey = ed25519.getPublicKey(secret);
      if (encodeBase64(publicKey) !== parsed.publicKey) throw new Error('the private key does not match the public key');
      return new IdentityStore(secret, publicKey);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${options.file}.bad-${(options.now ?? Date.now)()}`;
        await rename(options.file, aside).catch(() => {});
        warn(`This device's identity could not be read (${(error as Error).message}); a new one was made and the old file kept as ${aside}. Paired devices need to pair again.`);
      }
    }
    const secret = new Uint8Array(randomBytes(32));
    const store = new IdentityStore(secret, ed25519.getPublicKey(secret));
    const sealed = options.box ? options.box.encrypt(secret) : secret;
    if (!options.box) warn('No OS key store: the identity key is stored unencrypted (readable by this user only).');
    await mkdir(dirname(options.file), { recursive: true });
    await writeFileAtomic(
      options.file,
      `${JSON.stringify({ version: 1, publicKey: encodeBase64(store.publicKey), secret: { sealedBy: options.box?.kind ?? null, data: encodeBase64(sealed) } }, null, 2)}\n`,
    );
    return store;
  }

  get peerId(): string {
    return peerIdFromPublicKey(this.publicKey);
  }

  get public(): PublicIdentity {
    return { publicKey: encodeBase64(this.publicKey), peerId: this.peerId, fingerprintWords: keyFingerprintWords(this.publicKey) };
  }

  /**
   * Signs a session transcript for `role` — and only that: what is signed always carries the
   * session-authentication prefix, so this cannot be made to sign anything else.
   */
  signSession(transcript: Uint8Array, role: 'initiator' | 'responder'): Uint8Array {
    const prefix = new TextEncoder().encode('ferry-session-auth-v1');
    if (transcript[0] !== prefix.length || !prefix.every((b, i) => transcript[i + 1] === b)) {
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
