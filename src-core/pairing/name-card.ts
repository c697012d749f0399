import { ed25519 } from '@noble/curves/ed25519';
import { z } from 'zod';
import { encodeUtf8 } from '../utf8.js';
import { MAX_DEVICE_NAME_LENGTH } from '../wire/control.js';
import { lengthValueConcat } from './cpace.js';
import { peerIdFromPublicKey } from './identity.js';
import { decodeBase64 } from './pairing-session.js';

/*
 * A device's name card (SPEC.md, "Name cards"): its chosen name, signed by its identity key, so a
 * device on the same server shows under its own name before any session — and no device can
 * show up under another's id (the id derives from the key that signed).
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const NameCardSchema = z.strictObject({
  name: z.string().min(1).max(MAX_DEVICE_NAME_LENGTH),
  /** The signer's Ed25519 public key, base64 of 32 bytes. */
  publicKey: z.string().length(44).regex(BASE64),
  /** When it was signed (ms since the epoch): of two cards, the newer wins. */
  issuedAt: z.number().int().nonnegative(),
  /** Ed25519 over nameCardSigningInput, base64 of 64 bytes. */
  signature: z.string().length(88).regex(BASE64),
});
export type NameCard = z.infer<typeof NameCardSchema>;

/** A card as JSON is at most this long (the server refuses longer ones). */
export const NAME_CARD_MAX_BYTES = 1024;

/** What the key signs: a prefix no session transcript starts with, the id, the name, the time. */
export function nameCardSigningInput(peerId: string, name: string, issuedAt: number): Uint8Array {
  return lengthValueConcat(encodeUtf8('ferry-name-card-v1'), encodeUtf8(peerId), encodeUtf8(name), encodeUtf8(String(issuedAt)));
}

/**
 * The name `card` proves for `peerId`, or undefined: a card that does not parse, whose key is not
 * the one `peerId` derives from, or whose signature does not verify, proves nothing.
 */
export function verifiedCardName(peerId: string, card: unknown): string | undefined {
  const parsed = NameCardSchema.safeParse(card);
  if (!parsed.success) return undefined;
  const { name, publicKey, issuedAt, signature } = parsed.data;
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  try {
    const key = decodeBase64(publicKey);
    if (peerIdFromPublicKey(key) !== peerId) return undefined;
    return ed25519.verify(decodeBase64(signature), nameCardSigningInput(peerId, name, issuedAt), key) ? name : undefined;
  } catch {
    return undefined;
  }
}
