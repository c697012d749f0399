import { idDigits } from '../e2e/support/peer-ids.js';

/** The benchmark's peer number `index` as a well-formed Ferry peer id (`ferry-` + 16 base32). */
export function benchPeerId(index: number): string {
  return `ferry-${idDigits(index, 16)}`;
}
