import { z } from 'zod';
import { FerryError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { encodeUtf8 } from '../utf8.js';
import { type PairingCode, pairingSecret, PAIRING_CODE_LIFETIME_MS } from './code.js';
import { confirmationTag, constantTimeEqual, CPaceParty, lengthValueConcat } from './cpace.js';
import { shortAuthenticationString } from './identity.js';

/*
 * Pairing, sans-IO (SPEC.md, "Pairing"): the side that typed the code is the initiator, the side
 * that shows it the responder. Messages are JSON with base64 fields, validated before use.
 */

const b64 = (bytes: number) => z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).refine((s) => decodeBase64(s).length === bytes, `${bytes} bytes expected`);
const deviceName = z.string().min(1).max(64);

export const PairingMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pair-start'), version: z.literal(1), sid: b64(16), share: b64(32), key: b64(32), name: deviceName }),
  z.strictObject({ type: z.literal('pair-reply'), share: b64(32), key: b64(32), name: deviceName, confirm: b64(64) }),
  z.strictObject({ type: z.literal('pair-confirm'), confirm: b64(64) }),
  z.strictObject({ type: z.literal('pair-fail'), reason: z.enum(['code-mismatch', 'expired', 'used', 'protocol']) }),
]);
export type PairingMessage = z.infer<typeof PairingMessage>;

export interface PairedDevice {
  publicKey: Uint8Array;
  name: string;
  /** Three words both screens show, for people who want to compare. */
  sas: string[];
}

export type PairingOutcome = { ok: true; peer: PairedDevice } | { ok: false; error: FerryError };

export interface PairingOptions {
  runtime: Pick<Runtime, 'randomBytes' | 'now'>;
  code: PairingCode;
  /** The channel binding (identity.ts channelBinding): both SDPs' DTLS fingerprints. */
  binding: string;
  /**
   * What the code is for: pairing (keys kept) or one transfer (keys used for that session only).
   * It goes into CPace's channel identifier, so a code run for the other purpose fails as a wrong one.
   */
  purpose?: CodePurpose;
  publicKey: Uint8Array;
  name: string;
  send: (message: PairingMessage) => void;
  done: (outcome: PairingOutcome) => void;
}

export type CodePurpose = 'pair' | 'transfer';

/** CPace's channel identifier: the channel binding, after a label for a transfer code (SPEC.md, "Transfer codes"). */
export function channelIdentifier(binding: string, purpose: CodePurpose = 'pair'): Uint8Array {
  return encodeUtf8(purpose === 'transfer' ? `${TRANSFER_CODE_LABEL}${binding}` : binding);
}

/** Prefixed to a transfer code's channel identifier. */
export const TRANSFER_CODE_LABEL = 'ferry-transfer-code-v1\n';

/** What the associated data binds: the sender's identity key and name. */
function associatedData(publicKey: Uint8Array, name: string): Uint8Array {
  return lengthValueConcat(publicKey, encodeUtf8(name));
}

const MISMATCH = 'The code didn’t match. Check it with the other person and try a new one.';

abstract class PairingSide {
  protected finished = false;

  constructor(protected readonly options: PairingOptions) {}

  /** A message from the peer (already JSON-parsed; validated here). */
  receive(raw: unknown): void {
    if (this.finished) return;
    const parsed = PairingMessage.safeParse(raw);
    if (!parsed.success) return this.fail('protocol', 'The other device broke the pairing protocol.');
    if (parsed.data.type === 'pair-fail') return this.end({ ok: false, error: errorFor(parsed.data.reason) });
    this.handle(parsed.data);
  }

  protected abstract handle(message: Exclude<PairingMessage, { type: 'pair-fail' }>): void;

  protected fail(reason: 'code-mismatch' | 'expired' | 'used' | 'protocol', message?: string): void {
    if (this.finished) return;
    this.options.send({ type: 'pair-fail', reason });
    this.end({ ok: false, error: message ? new FerryError(reason === 'code-mismatch' ? 'PAIRING_CODE_INVALID' : 'PAIRING_FAILED', message) : errorFor(reason) });
  }

  protected end(outcome: PairingOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.options.done(outcome);
  }
}

function errorFor(reason: 'code-mismatch' | 'expired' | 'used' | 'protocol'): FerryError {
  switch (reason) {
    case 'code-mismatch':
      return new FerryError('PAIRING_CODE_INVALID', MISMATCH);
    case 'expired':
      return new FerryError('PAIRING_CODE_INVALID', 'That code has expired. Ask for a new one.');
    case 'used':
      return new FerryError('PAIRING_CODE_INVALID', 'That code was already used. Ask for a new one.');
    case 'protocol':
      return new FerryError('PAIRING_FAILED', 'Pairing failed: the other device broke the pairing protocol.');
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/** The side that typed the code: starts, checks the responder's confirmation first. */
export class PairingInitiator extends PairingSide {
  private readonly cpace: CPaceParty;
  private readonly sid: Uint8Array;

  constructor(options: PairingOptions) {
    super(options);
    this.sid = options.runtime.randomBytes(16);
    this.cpace = new CPaceParty(
      'initiator',
      { prs: pairingSecret(options.code), ci: channelIdentifier(options.binding, options.purpose), sid: this.sid, ad: associatedData(options.publicKey, options.name) },
      options.runtime,
    );
  }

  start(): void {
    this.options.send({ type: 'pair-start', version: 1, sid: encodeBase64(this.sid), share: encodeBase64(this.cpace.share), key: encodeBase64(this.options.publicKey), name: this.options.name });
  }

  protected handle(message: Exclude<PairingMessage, { type: 'pair-fail' }>): void {
    if (message.type !== 'pair-reply') return this.fail('protocol');
    const peerKey = decodeBase64(message.key);
    let isk: Uint8Array;
    try {
      isk = this.cpace.finish(decodeBase64(message.share), associatedData(peerKey, message.name));
    } catch {
      return this.fail('protocol');
    }
    if (!constantTimeEqual(decodeBase64(message.confirm), confirmationTag(isk, 'responder'))) return this.fail('code-mismatch');
    this.options.send({ type: 'pair-confirm', confirm: encodeBase64(confirmationTag(isk, 'initiator')) });
    this.end({ ok: true, peer: { publicKey: peerKey, name: message.name, sas: shortAuthenticationString(isk) } });
  }
}

/** The side that shows the code: one attempt, within the code's lifetime. */
export class PairingResponder extends PairingSide {
  private readonly expiresAt: number;
  private attempted = false;
  private pending: { isk: Uint8Array; peer: Omit<PairedDevice, 'sas'> } | undefined;

  constructor(options: PairingOptions) {
    super(options);
    this.expiresAt = options.runtime.now() + PAIRING_CODE_LIFETIME_MS;
  }

  /** The code's 10 minutes are up (the UI calls this on its timer; a late attempt is refused too). */
  expire(): void {
    if (!this.finished) this.end({ ok: false, error: errorFor('expired') });
  }

  protected handle(message: Exclude<PairingMessage, { type: 'pair-fail' }>): void {
    switch (message.type) {
      case 'pair-start': {
        if (this.attempted) return this.fail('used');
        this.attempted = true;
        if (this.options.runtime.now() > this.expiresAt) return this.fail('expired');
        const peerKey = decodeBase64(message.key);
        const cpace = new CPaceParty(
          'responder',
          { prs: pairingSecret(this.options.code), ci: channelIdentifier(this.options.binding, this.options.purpose), sid: decodeBase64(message.sid), ad: associatedData(this.options.publicKey, this.options.name) },
          this.options.runtime,
        );
        let isk: Uint8Array;
        try {
          isk = cpace.finish(decodeBase64(message.share), associatedData(peerKey, message.name));
        } catch {
          return this.fail('protocol');
        }
        this.pending = { isk, peer: { publicKey: peerKey, name: message.name } };
        this.options.send({ type: 'pair-reply', share: encodeBase64(cpace.share), key: encodeBase64(this.options.publicKey), name: this.options.name, confirm: encodeBase64(confirmationTag(isk, 'responder')) });
        return;
      }
      case 'pair-confirm': {
        const pending = this.pending;
        if (!pending) return this.fail('protocol');
        if (!constantTimeEqual(decodeBase64(message.confirm), confirmationTag(pending.isk, 'initiator'))) return this.fail('code-mismatch');
        this.end({ ok: true, peer: { ...pending.peer, sas: shortAuthenticationString(pending.isk) } });
        return;
      }
      case 'pair-reply':
        return this.fail('protocol');
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63) + (i + 1 < bytes.length ? B64.charAt((n >> 6) & 63) : '=') + (i + 2 < bytes.length ? B64.charAt(n & 63) : '=');
  }
  return out;
}

export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = B64.indexOf(char);
    if (value === -1) return new Uint8Array(0);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}
