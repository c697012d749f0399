import { ed25519 } from '@noble/curves/ed25519';
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha256';
import { sha512 } from '@noble/hashes/sha512';
import { wordlist } from '@scure/bip39/wordlists/english';
import { FerryError } from '../errors.js';
import { encodeUtf8 } from '../utf8.js';
import { concatBytes, lengthValueConcat } from './cpace.js';

/*
 * Device identity and what binds sessions to it (SPEC.md, "Device identity", "Session
 * authentication"). Private keys live in main; the core only verifies.
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32Prefix(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[(bytes[i] as number) & 31];
  return out;
}

/** A device's id on signaling servers, from its Ed25519 public key: a squatter can block it, never be it. */
export function peerIdFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new FerryError('PAIRING_FAILED', 'An identity key is 32 bytes.');
  return `ferry-${base32Prefix(sha256(concatBytes(encodeUtf8('ferry-identity-v1:'), publicKey)), 16)}`;
}

/** Four words to compare a key by eye ("the key's fingerprint words"): 44 bits of its hash. */
export function keyFingerprintWords(publicKey: Uint8Array): string[] {
  return wordsFrom(sha256(concatBytes(encodeUtf8('ferry-key-words-v1:'), publicKey)), 4);
}

/** The short authentication string both screens show after pairing: three words from the key. */
export function shortAuthenticationString(isk: Uint8Array): string[] {
  return wordsFrom(hmac(sha512, isk, encodeUtf8('ferry-pairing-sas-v1')), 3);
}

function wordsFrom(bytes: Uint8Array, count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    const index = (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)) & 2047;
    words.push(wordlist[index] as string);
  }
  return words;
}

/**
 * The DTLS certificate fingerprints an SDP announces (`a=fingerprint:<hash> <hex>`), normalised
 * (hash name lower case, hex upper case with colons) — what CPace's channel identifier and the
 * session transcript bind.
 */
export function sdpFingerprints(sdp: string): string[] {
  const out = new Set<string>();
  for (const match of sdp.matchAll(/^a=fingerprint:([A-Za-z0-9-]+) ([0-9A-Fa-f:]+)\s*$/gm)) {
    out.add(`${(match[1] as string).toLowerCase()} ${(match[2] as string).toUpperCase()}`);
  }
  return [...out].sort();
}

/** Both sides' fingerprints, sorted, as one string: the same on both ends of one DTLS session. */
export function channelBinding(localSdp: string, remoteSdp: string): string {
  const local = sdpFingerprints(localSdp);
  const remote = sdpFingerprints(remoteSdp);
  if (local.length === 0 || remote.length === 0) throw new FerryError('PAIRING_FAILED', 'The connection has no DTLS fingerprints to bind to.');
  return [...local, ...remote].sort().join('\n');
}

/** The label every session transcript starts with (SPEC.md, "Session authentication: the exact bytes"). */
export const SESSION_AUTH_LABEL = 'ferry-session-auth-v1';

/**
 * What each side of an authenticated session signs: the channel binding, both nonces and both
 * identity keys, each in a fixed order (initiator first), so a signature is good for this
 * session on this channel only.
 */
export function sessionTranscript(input: {
  binding: string;
  initiator: { nonce: Uint8Array; publicKey: Uint8Array };
  responder: { nonce: Uint8Array; publicKey: Uint8Array };
}): Uint8Array {
  return lengthValueConcat(
    encodeUtf8(SESSION_AUTH_LABEL),
    encodeUtf8(input.binding),
    input.initiator.nonce,
    input.initiator.publicKey,
    input.responder.nonce,
    input.responder.publicKey,
  );
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of the transcript, for `role`. */
export function verifySessionSignature(publicKey: Uint8Array, transcript: Uint8Array, role: 'initiator' | 'responder', signature: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, concatBytes(encodeUtf8(`${role}:`), transcript), publicKey);
  } catch {
    return false;
  }
}

/** What a signer (main, holding the key) signs for `role`: the same bytes verify checks. */
export function sessionSigningInput(transcript: Uint8Array, role: 'initiator' | 'responder'): Uint8Array {
  return concatBytes(encodeUtf8(`${role}:`), transcript);
}
