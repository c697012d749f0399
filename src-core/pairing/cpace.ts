import { RistrettoPoint } from '@noble/curves/ed25519';

/** A ristretto255 group element (noble's point class). */
type Point = InstanceType<typeof RistrettoPoint>;
import { hmac } from '@noble/hashes/hmac';
import { sha512 } from '@noble/hashes/sha512';
import { FerryError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { encodeUtf8 } from '../utf8.js';

/*
 * CPace over ristretto255 with SHA-512, as in draft-irtf-cfrg-cpace (the CFRG's balanced PAKE),
 * checked against its published test vectors (cpace.test.ts). Ferry uses the
 * initiator/responder transcript; SPEC.md, "Pairing", says what goes into CI, sid and AD.
 */

export const CPACE_DSI = encodeUtf8('CPaceRistretto255');
/** SHA-512's input block size: the generator string is padded to fill one block. */
const S_IN_BYTES = 128;
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** LEB128 length, then the bytes (the draft's prepend_len). */
export function prependLength(data: Uint8Array): Uint8Array {
  const length: number[] = [];
  let n = data.length;
  for (;;) {
    if (n < 128) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  return concatBytes(new Uint8Array(length), data);
}

/** The draft's lv_cat: each part with its length in front. */
export function lengthValueConcat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts.map(prependLength));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** generator_string(DSI, PRS, CI, sid, s_in_bytes): zero-padded so PRS fills the first hash block. */
export function generatorString(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Uint8Array {
  const zeroPad = Math.max(0, S_IN_BYTES - 1 - prependLength(prs).length - prependLength(CPACE_DSI).length);
  return lengthValueConcat(CPACE_DSI, prs, new Uint8Array(zeroPad), ci, sid);
}

/** The session's secret generator: ristretto255 from 64 uniform bytes of the hashed generator string. */
export function cpaceGenerator(prs: Uint8Array, ci: Uint8Array, sid: Uint8Array): Point {
  return RistrettoPoint.hashToCurve(sha512(generatorString(prs, ci, sid)));
}

function scalarFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) + BigInt(bytes[i] as number);
  return n % GROUP_ORDER;
}

/** A uniformly random non-zero scalar: 64 random bytes reduced modulo the group order. */
function randomScalar(runtime: Pick<Runtime, 'randomBytes'>): bigint {
  for (;;) {
    const scalar = scalarFromBytes(runtime.randomBytes(64));
    if (scalar !== 0n) return scalar;
  }
}

export interface CPaceInputs {
  /** The password-related string: the pairing code's secret words. */
  prs: Uint8Array;
  /** The channel identifier: binds the session to its transport (SPEC.md). */
  ci: Uint8Array;
  sid: Uint8Array;
  /** Our associated data (sent in the clear beside our share, bound into the key). */
  ad: Uint8Array;
}

/**
 * One side of a CPace exchange: make a share, take the other's, derive the intermediate session
 * key (ISK). `scalar` is for test vectors only; normally it is random.
 */
export class CPaceParty {
  readonly share: Uint8Array;
  private readonly scalar: bigint;

  constructor(
    private readonly role: 'initiator' | 'responder',
    private readonly inputs: CPaceInputs,
    runtime: Pick<Runtime, 'randomBytes'>,
    scalar?: Uint8Array,
  ) {
    this.scalar = scalar ? scalarFromBytes(scalar) : randomScalar(runtime);
    this.share = cpaceGenerator(inputs.prs, inputs.ci, inputs.sid).multiply(this.scalar).toRawBytes();
  }

  /**
   * The ISK from the other side's share and associated data. An invalid encoding or the
   * identity element is refused (scalar_mult_vfy).
   */
  finish(peerShare: Uint8Array, peerAd: Uint8Array): Uint8Array {
    let point: Point;
    try {
      point = RistrettoPoint.fromHex(peerShare);
    } catch (cause) {
      throw new FerryError('PAIRING_FAILED', 'The other device sent an invalid key share.', { cause });
    }
    const shared = point.multiply(this.scalar);
    if (shared.equals(RistrettoPoint.ZERO)) throw new FerryError('PAIRING_FAILED', 'The other device sent an invalid key share.');
    const k = shared.toRawBytes();
    const ours = lengthValueConcat(this.share, this.inputs.ad);
    const theirs = lengthValueConcat(peerShare, peerAd);
    const transcript = this.role === 'initiator' ? concatBytes(ours, theirs) : concatBytes(theirs, ours);
    return sha512(concatBytes(lengthValueConcat(concatBytes(CPACE_DSI, encodeUtf8('_ISK')), this.inputs.sid, k), transcript));
  }
}

/** Explicit key confirmation: each side proves it holds the same ISK, in its own role. */
export function confirmationTag(isk: Uint8Array, role: 'initiator' | 'responder'): Uint8Array {
  return hmac(sha512, isk, encodeUtf8(`ferry-pairing-confirm-${role}`));
}

/** Compares in time that does not depend on where the bytes differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
