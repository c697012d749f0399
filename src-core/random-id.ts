import type { Runtime } from './runtime.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A random base32 id (lower case, 5 bits a character). 16 characters carry 80 bits. */
export function randomId(runtime: Pick<Runtime, 'randomBytes'>, length = 16): string {
  const bytes = runtime.randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}
