/** Ferry's peer id alphabet (src-core/peer-id.ts): base32, lower case. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** `n` in Ferry's id alphabet, `width` characters (for well-formed test ids). */
export function idDigits(n: number, width: number): string {
  let digits = '';
  let rest = n;
  for (let i = 0; i < width; i++) {
    digits = (ALPHABET[rest % 32] ?? 'a') + digits;
    rest = Math.floor(rest / 32);
  }
  return digits;
}
