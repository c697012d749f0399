import { sha256 } from '@noble/hashes/sha256';
import { wordlist } from '@scure/bip39/wordlists/english';
import { FerryError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { encodeUtf8 } from '../utf8.js';

/**
 * Pairing codes like `427-orbit-velvet` (SPEC.md, "Pairing"): a public slot number that routes
 * (the displaying side registers a peer id derived from it alone) and two words of the BIP-39
 * English list (2048 words: 22 bits of secret) that only the two people know.
 */

export const PAIRING_WORDS = 2;
/** Slots are 3 digits: short to read aloud, and only a routing hint (the secret is the words). */
const SLOT_MIN = 100;
const SLOT_MAX = 999;
/** A code is good for one attempt within this long. */
export const PAIRING_CODE_LIFETIME_MS = 10 * 60 * 1000;

export interface PairingCode {
  slot: number;
  words: readonly string[];
}

const WORDS: ReadonlySet<string> = new Set(wordlist);

/** A fresh code: uniform slot and words from the runtime's randomness (no modulo bias). */
export function createPairingCode(runtime: Pick<Runtime, 'randomBytes'>): PairingCode {
  return { slot: SLOT_MIN + uniform(runtime, SLOT_MAX - SLOT_MIN + 1), words: Array.from({ length: PAIRING_WORDS }, () => wordlist[uniform(runtime, wordlist.length)] as string) };
}

export function formatPairingCode(code: PairingCode): string {
  return [String(code.slot), ...code.words].join('-');
}

/** What a person typed (any case, dashes or spaces, stray blanks) → a code, or a clear error. */
export function parsePairingCode(text: string): PairingCode {
  const parts = text.trim().toLowerCase().split(/[\s-]+/).filter((p) => p !== '');
  const [slotText, ...words] = parts;
  if (!slotText || !/^\d{3}$/.test(slotText) || Number(slotText) < SLOT_MIN) {
    throw new FerryError('PAIRING_CODE_INVALID', 'A pairing code starts with a three-digit number, like 427-orbit-velvet.');
  }
  if (words.length !== PAIRING_WORDS) {
    throw new FerryError('PAIRING_CODE_INVALID', `A pairing code has a number and ${PAIRING_WORDS} words, like 427-orbit-velvet.`);
  }
  const unknown = words.find((w) => !WORDS.has(w));
  if (unknown !== undefined) throw new FerryError('PAIRING_CODE_INVALID', `"${unknown.slice(0, 32)}" is not a word pairing codes use. Check the spelling.`);
  return { slot: Number(slotText), words };
}

/** The secret part, as CPace's password string. */
export function pairingSecret(code: PairingCode): Uint8Array {
  return encodeUtf8(code.words.join(' '));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The peer id the displaying side waits under: derived from the slot only, never the words. */
export function pairingPeerId(slot: number): string {
  const digest = sha256(encodeUtf8(`ferry-pairing-slot-v1:${slot}`));
  let id = '';
  for (let i = 0; i < 16; i++) id += BASE32[(digest[i] as number) & 31];
  return `ferry-${id}`;
}

/** A uniform integer in [0, n) by rejection sampling 16-bit draws. */
function uniform(runtime: Pick<Runtime, 'randomBytes'>, n: number): number {
  const limit = 65536 - (65536 % n);
  for (;;) {
    const [hi = 0, lo = 0] = runtime.randomBytes(2);
    const draw = (hi << 8) | lo;
    if (draw < limit) return draw % n;
  }
}
