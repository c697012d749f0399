import { FerryError } from '../errors.js';
import type { DigestAlgorithm } from '../wire/control.js';
import { MAX_BLOCK_CHUNKS } from '../wire/control.js';
import type { Hasher, HasherFactory } from './hasher.js';

/**
 * Files are digested in blocks (SPEC.md, "Integrity"): each block of `blockChunks` chunks has
 * its own digest, and the file's digest is the digest of its block digests (raw bytes, in
 * order). So a damaged block is found, resent and checked alone, without rehashing the file;
 * and each byte is still hashed once.
 */

/** Bytes per block the sender aims for. */
export const DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;

export function blockChunksFor(chunkSize: number, blockBytes = DEFAULT_BLOCK_BYTES): number {
  return Math.min(MAX_BLOCK_CHUNKS, Math.max(1, Math.floor(blockBytes / chunkSize)));
}

export function blockCount(fileChunks: number, blockChunks: number): number {
  return Math.ceil(fileChunks / blockChunks);
}

/** Feeds block digests, in block order, into the file's digest. */
export class FileDigestChain {
  private readonly hasher: Hasher;
  private nextBlock = 0;

  constructor(createHasher: HasherFactory, algorithm: DigestAlgorithm) {
    this.hasher = createHasher(algorithm);
  }

  /** How many blocks are in so far. */
  get blocks(): number {
    return this.nextBlock;
  }

  add(blockDigestHex: string): void {
    this.hasher.update(hexToBytes(blockDigestHex));
    this.nextBlock++;
  }

  digest(): string {
    return this.hasher.digest();
  }
}

/** The digest of a file with no bytes (no blocks). */
export function emptyFileDigest(createHasher: HasherFactory, algorithm: DigestAlgorithm): string {
  return new FileDigestChain(createHasher, algorithm).digest();
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new FerryError('TRANSFER_PROTOCOL', 'A digest is not lower-case hex.');
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
