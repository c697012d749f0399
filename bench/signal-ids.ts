/** Ferry's peer id alphabet (src-core/peer-id.ts): base32, lower case. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** The benchmark's peer number `index` as a well-formed Ferry peer id (`ferry-` + 16 base32). */
export function benchPeerId(index: number): string {
  let digits = '';
  let rest = index;
  for (let i = 0; i < 16; i++) {
    digits = (ALPHABET[rest % 32] ?? 'a') + digits;
    rest = Math.floor(rest / 32);
  }
  return `ferry-${digits}`;
}
