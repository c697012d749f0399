import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { decodeBase64, encodeBase64, type NameCard, SigningKey } from '../../src-core/index.js';
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
  private constructor(private readonly key: SigningKey) {}

  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }

  static async open(options: { file: string; box?: SecretBox; warn?: (message: string) => void; now?: () => number }): Promise<IdentityStore> {
    const warn = options.warn ?? (() => {});
    try {
      const parsed = IdentityFile.parse(JSON.parse(await readFile(options.file, 'utf8')));
      const data = decodeBase64(parsed.secret.data);
      let secret: Uint8Array;
      if (parsed.secret.sealedBy === null) secret = data;
      else if (options.box?.kind === parsed.secret.sealedBy) secret = options.box.decrypt(data);
      else throw new Error(`the key is sealed by ${parsed.secret.sealedBy}, which is not available`);
      const key = new SigningKey(secret);
      if (encodeBase64(key.publicKey) !== parsed.publicKey) throw new Error('the private key does not match the public key');
      return new IdentityStore(key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const aside = `${options.file}.bad-${(options.now ?? Date.now)()}`;
        await rename(options.file, aside).catch(() => {});
        warn(`This device's identity could not be read (${(error as Error).message}); a new one was made and the old file kept as ${aside}. Paired devices need to pair again.`);
      }
    }
    const secret = new Uint8Array(randomBytes(32));
    const store = new IdentityStore(new SigningKey(secret));
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
    return this.key.peerId;
  }

  get public(): PublicIdentity {
    return this.key.public;
  }

  /** Signs a session transcript for `role`, and nothing else (SigningKey checks the prefix). */
  signSession(transcript: Uint8Array, role: 'initiator' | 'responder'): Uint8Array {
    return this.key.signSession(transcript, role);
  }

  /** Signs this device's name card. */
  signNameCard(name: string, issuedAt: number): NameCard {
    return this.key.signNameCard(name, issuedAt);
  }
}
