import { z } from 'zod';
import { FerryError } from '../errors.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';
import { encodeFrame, FrameKind } from './frame.js';

/** Wire protocol versions this build speaks, oldest first. See SPEC.md, "Versions". */
export const SUPPORTED_PROTOCOL_VERSIONS = [1] as const;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_DEVICE_NAME_LENGTH = 64;
/** What a device runs Ferry as: the desktop app, the command line, a browser page. */
export const DEVICE_KINDS = ['desktop', 'cli', 'browser'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function isDeviceKind(word: string | undefined): word is DeviceKind {
  return (DEVICE_KINDS as readonly (string | undefined)[]).includes(word);
}

const messageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const HelloMessage = z.strictObject({
  type: z.literal('hello'),
  protocol: z.literal('ferry'),
  versions: z.array(z.number().int().min(1).max(65535)).min(1).max(16),
  deviceName: z.string().min(1).max(MAX_DEVICE_NAME_LENGTH),
  /** Optional, and any short word: one this build does not know (a newer kind) shows as unknown. */
  deviceKind: z.string().min(1).max(32).optional(),
  /** True when the sender already has the receiver's hello (so this one needs no answer). */
  seen: z.boolean(),
});

export const TextMessage = z.strictObject({
  type: z.literal('text'),
  id: messageId,
  body: z.string().min(1).max(MAX_TEXT_LENGTH),
  sentAt: z.number().int().nonnegative(),
});

export const TextAckMessage = z.strictObject({
  type: z.literal('text-ack'),
  id: messageId,
});

/** Liveness: each side sends one every HEARTBEAT_INTERVAL_MS once open (SPEC.md, "Liveness"). */
export const PingMessage = z.strictObject({
  type: z.literal('ping'),
});

export const ErrorMessage = z.strictObject({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(1000),
});

// ---- transfers (see SPEC.md, "Transfers") ----

export const DELIVERY_MODES = ['reliable-ordered', 'reliable-unordered', 'partial'] as const;
export const DIGEST_ALGORITHMS = ['blake3', 'xxh128', 'sha256'] as const;
export const MAX_TRANSFER_ENTRIES = 100_000;
export const MIN_CHUNK_BYTES = 1024;
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** A block is at most this many chunks (64 MiB of 16 KiB chunks; 4 MiB at the 64 KiB default). */
export const MAX_BLOCK_CHUNKS = 4096;
/** Files up to 2^53 - 1 bytes: JSON numbers are exact that far. */
const byteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const transferId = z.number().int().min(1).max(0xffffffff);
const fileIndex = z.number().int().nonnegative().max(MAX_TRANSFER_ENTRIES - 1);

// A path is any string on the wire (a control frame bounds it at 64 KiB): whether it is a name
// Ferry accepts is the receiver's check (safe-path.ts), which declines the offer with
// PATH_INVALID instead of ending the session over one bad name.
export const ManifestEntry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('file'), path: z.string(), size: byteCount, mtime: byteCount }),
  z.strictObject({ kind: z.literal('directory'), path: z.string() }),
]);
export type ManifestEntry = z.infer<typeof ManifestEntry>;

/** A transfer's name across sessions (SPEC.md, "Resume"): 16 random bytes, base64url. */
export const RESUME_KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** `have` ranges per message, like `gaps`. */
export const MAX_RANGES_PER_MESSAGE = 256;

export const OfferMessage = z.strictObject({
  type: z.literal('offer'),
  transferId,
  mode: z.enum(DELIVERY_MODES),
  chunkSize: z.number().int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES),
  digest: z.enum(DIGEST_ALGORITHMS),
  /** Chunks per integrity block: each block has its own digest, so a bad one is resent alone. */
  blockChunks: z.number().int().min(1).max(MAX_BLOCK_CHUNKS),
  totalEntries: z.number().int().min(1).max(MAX_TRANSFER_ENTRIES),
  totalBytes: byteCount,
  /** The first page of entries; `offer-page` messages carry the rest. */
  entries: z.array(ManifestEntry).max(MAX_TRANSFER_ENTRIES),
  /** The transfer's name across sessions, the same on every offer of it. */
  resumeKey: z.string().regex(RESUME_KEY_PATTERN).optional(),
  /** This offers again a transfer that was interrupted: the receiver may answer with `have`. */
  resume: z.boolean().optional(),
});

export const OfferPageMessage = z.strictObject({
  type: z.literal('offer-page'),
  transferId,
  entries: z.array(ManifestEntry).min(1).max(MAX_TRANSFER_ENTRIES),
});

export const AcceptMessage = z.strictObject({ type: z.literal('accept'), transferId });

export const DeclineMessage = z.strictObject({
  type: z.literal('decline'),
  transferId,
  code: z.string().max(64),
  message: z.string().max(1000),
});

export const CreditMessage = z.strictObject({
  type: z.literal('credit'),
  transferId,
  chunks: z.number().int().min(1).max(1 << 20),
});

/** Chunks the receiver lacks: [first, end) ranges of one file's chunk indices. */
export const GapsMessage = z.strictObject({
  type: z.literal('gaps'),
  transferId,
  fileIndex,
  ranges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])).min(1).max(256),
});

const hexDigest = z.string().regex(/^[0-9a-f]{16,128}$/);

/**
 * What a receiver already holds of a resumed transfer, before it accepts: one file, either
 * verified whole and in its final place (`complete`), or these [first, end) block ranges,
 * verified and durable in its staging file.
 */
export const HaveMessage = z.strictObject({
  type: z.literal('have'),
  transferId,
  fileIndex,
  complete: z.boolean(),
  blocks: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])).max(MAX_RANGES_PER_MESSAGE),
});

/** The digest of one block of a file (SPEC.md, "Integrity"). */
export const BlockDigestMessage = z.strictObject({
  type: z.literal('block-digest'),
  transferId,
  fileIndex,
  block: z.number().int().nonnegative(),
  digest: hexDigest,
});

export const FileDigestMessage = z.strictObject({
  type: z.literal('file-digest'),
  transferId,
  fileIndex,
  digest: hexDigest,
});

export const FileVerifiedMessage = z.strictObject({ type: z.literal('file-verified'), transferId, fileIndex });

export const CompleteMessage = z.strictObject({ type: z.literal('complete'), transferId });

export const CancelMessage = z.strictObject({
  type: z.literal('cancel'),
  transferId,
  /** Which side of the transfer is cancelling: ids are chosen per sending side. */
  from: z.enum(['sender', 'receiver']),
  code: z.string().max(64),
  message: z.string().max(1000),
});

/** A person paused a resumable transfer: both sides keep what they have, nothing resumes by itself. */
export const PauseMessage = z.strictObject({
  type: z.literal('pause'),
  transferId,
  from: z.enum(['sender', 'receiver']),
});

/** The receiver's person resumes a paused transfer: the sender offers it again (with `resume`). */
export const ResumeRequestMessage = z.strictObject({
  type: z.literal('resume-request'),
  resumeKey: z.string().regex(RESUME_KEY_PATTERN),
});

export const TransferMessage = z.discriminatedUnion('type', [
  OfferMessage,
  OfferPageMessage,
  HaveMessage,
  AcceptMessage,
  DeclineMessage,
  CreditMessage,
  GapsMessage,
  BlockDigestMessage,
  FileDigestMessage,
  FileVerifiedMessage,
  CompleteMessage,
  CancelMessage,
  PauseMessage,
  ResumeRequestMessage,
]);
export type TransferMessage = z.infer<typeof TransferMessage>;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

// ---- session authentication (see SPEC.md, "Session authentication") ----

const base64Of = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .refine((s) => Math.floor((s.replace(/=+$/, '').length * 3) / 4) === bytes, `${bytes} bytes expected`);

export const AuthMessage = z.discriminatedUnion('type', [
  // `paired`: whether the sender keeps the receiver as a paired device (a device that was
  // unpaired on one side is refused by both, in words).
  z.strictObject({ type: z.literal('auth-hello'), key: base64Of(32), nonce: base64Of(32), paired: z.boolean() }),
  z.strictObject({ type: z.literal('auth-proof'), signature: base64Of(64) }),
  z.strictObject({ type: z.literal('auth-fail'), code: z.string().max(64), message: z.string().max(1000) }),
]);
export type AuthMessage = z.infer<typeof AuthMessage>;

export const ControlMessage = z.discriminatedUnion('type', [
  HelloMessage,
  TextMessage,
  TextAckMessage,
  PingMessage,
  ErrorMessage,
  ...TransferMessage.options,
  ...AuthMessage.options,
]);
export type ControlMessage = z.infer<typeof ControlMessage>;

const TRANSFER_TYPES: ReadonlySet<string> = new Set(TransferMessage.options.map((o) => o.shape.type.value));

const AUTH_TYPES: ReadonlySet<string> = new Set(AuthMessage.options.map((o) => o.shape.type.value));

export function isAuthMessage(message: ControlMessage): message is AuthMessage {
  return AUTH_TYPES.has(message.type);
}

export function isTransferMessage(message: ControlMessage): message is TransferMessage {
  return TRANSFER_TYPES.has(message.type);
}

export function encodeControl(message: ControlMessage): Uint8Array {
  return encodeFrame(FrameKind.control, encodeUtf8(JSON.stringify(message)));
}

/** Parses a control frame's payload. Throws FerryError; never returns an unvalidated message. */
export function decodeControl(payload: Uint8Array): ControlMessage {
  let json: unknown;
  try {
    json = JSON.parse(decodeUtf8(payload));
  } catch (cause) {
    if (cause instanceof FerryError) throw cause;
    throw new FerryError('CONTROL_INVALID_JSON', 'Control frame is not valid JSON.', { cause });
  }
  const parsed = ControlMessage.safeParse(json);
  if (!parsed.success) {
    throw new FerryError(
      'CONTROL_INVALID_MESSAGE',
      `Invalid control message: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/** The highest version both sides speak, or undefined when there is none. */
export function negotiateVersion(theirs: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const version of SUPPORTED_PROTOCOL_VERSIONS) {
    if (theirs.includes(version) && (best === undefined || version > best)) best = version;
  }
  return best;
}
