import type { DigestAlgorithm } from '../wire/control.js';

/** A streaming digest, injected: hash-wasm in the app, anything conforming in tests. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** Lower-case hex. */
  digest(): string;
}

export type HasherFactory = (algorithm: DigestAlgorithm) => Hasher;
