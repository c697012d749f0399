import { z } from 'zod';
import { FerryError } from '../errors.js';
import { decodeUtf8, encodeUtf8 } from '../utf8.js';
import { encodeFrame, FrameKind } from './frame.js';

/** Wire protocol versions this build speaks, oldest first. See SPEC.md, "Versions". */
export const SUPPORTED_PROTOCOL_VERSIONS = [1] as const;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_DEVICE_NAME_LENGTH = 64;

const messageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const HelloMessage = z.strictObject({
  type: z.literal('hello'),
  protocol: z.literal('ferry'),
  versions: z.array(z.number().int().min(1).max(65535)).min(1).max(16),
  deviceName: z.string().min(1).max(MAX_DEVICE_NAME_LENGTH),
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

export const ErrorMessage = z.strictObject({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(1000),
});

export const ControlMessage = z.discriminatedUnion('type', [
  HelloMessage,
  TextMessage,
  TextAckMessage,
  ErrorMessage,
]);
export type ControlMessage = z.infer<typeof ControlMessage>;

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
