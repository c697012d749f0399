import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isPairingSlotId } from './pairing-slots.js';

/**
 * Who may register on the server:
 * - `shared`: every client presents the same token (`--token`);
 * - `hmac`: each device presents "<expiry>.<base64url(HMAC-SHA256(secret, "<peerId>.<expiry>"))>",
 *   minted by `ferry-signal token` (`--token-secret`), valid for that peer id until the expiry.
 */
export type AccessPolicy = { kind: 'shared'; token: string } | { kind: 'hmac'; secret: string };

export type TokenRefusal = 'token-missing' | 'token-invalid' | 'token-expired';

/** The smallest secret or shared token the CLI accepts: guessable ones protect nothing. */
export const MIN_SECRET_LENGTH = 16;

const SLOT_TOKEN = /^(ferry-[a-z2-7]{16})\.(\d{1,12}\.[A-Za-z0-9_-]{43})$/;
const HMAC_TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** Mints a per-device token (the operator's side of `--token-secret`). */
export function mintAccessToken(secret: string, peerId: string, expiresAtSeconds: number): string {
  return `${expiresAtSeconds}.${signature(secret, peerId, expiresAtSeconds)}`;
}

/** Checks a presented token; undefined means accepted. Constant-time in the secret parts. */
/** PeerJS's own session token: Math.random().toString(36).slice(2), never one of ours. */
const PEERJS_SESSION_TOKEN = /^[0-9a-z]{1,13}$/;

export function checkAccessToken(
  policy: AccessPolicy,
  token: string | undefined,
  peerId: string,
  nowMs: number,
): TokenRefusal | undefined {
  if (token === undefined || token === '') return 'token-missing';
  // PeerJS always sends a token of its own (a short random session token): a client configured
  // without ours sends that. Telling it "missing" says what to do; "invalid" would not.
  if (PEERJS_SESSION_TOKEN.test(token) && (policy.kind === 'hmac' || token.length < MIN_SECRET_LENGTH)) return 'token-missing';
  if (policy.kind === 'shared') {
    // Hash both sides so the comparison is constant-time whatever the lengths.
    return timingSafeEqual(sha256(token), sha256(policy.token)) ? undefined : 'token-invalid';
  }
  // A pairing slot is no device's id: the device showing the code registers it with its own
  // token, prefixed by its own id ("<device id>.<token>"), and that is what is checked.
  if (policy.kind === 'hmac' && isPairingSlotId(peerId)) {
    const slot = SLOT_TOKEN.exec(token);
    return slot ? checkAccessToken(policy, slot[2], slot[1] as string, nowMs) : 'token-invalid';
  }
  const match = HMAC_TOKEN.exec(token);
  if (!match) return 'token-invalid';
  const expiresAt = Number(match[1]);
  const expected = Buffer.from(signature(policy.secret, peerId, expiresAt));
  const given = Buffer.from(match[2] as string);
  if (!timingSafeEqual(expected, given)) return 'token-invalid';
  // Checked after the signature, so an expired-token answer is only given to a real token.
  return expiresAt * 1000 > nowMs ? undefined : 'token-expired';
}

function signature(secret: string, peerId: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${peerId}.${expiresAtSeconds}`).digest('base64url');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
