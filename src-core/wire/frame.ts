import { FerryError } from '../errors.js';

/**
 * Every DataChannel message Ferry sends is binary and starts with one byte naming its kind.
 * See SPEC.md, "Frames".
 */
export const FrameKind = {
  control: 0x01,
  data: 0x02,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Control frames are small; a bigger one is hostile or broken. */
export const MAX_CONTROL_FRAME_BYTES = 64 * 1024;

/** Largest data frame accepted: a chunk of at most 1 MiB plus its header. */
export const MAX_DATA_FRAME_BYTES = 1024 * 1024 + 17;

export type DecodedFrame = { kind: 'control'; payload: Uint8Array } | { kind: 'data'; frame: Uint8Array };

export function encodeFrame(kind: FrameKind, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(1 + payload.length);
  frame[0] = kind;
  frame.set(payload, 1);
  return frame;
}

export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const kind = frame[0];
  if (kind === undefined) throw new FerryError('FRAME_TOO_SHORT', 'Received an empty frame.');
  switch (kind) {
    case FrameKind.control:
      if (frame.length > MAX_CONTROL_FRAME_BYTES) {
        throw new FerryError(
          'FRAME_TOO_LARGE',
          `Control frame of ${frame.length} bytes exceeds ${MAX_CONTROL_FRAME_BYTES}.`,
        );
      }
      return { kind: 'control', payload: frame.subarray(1) };
    case FrameKind.data:
      if (frame.length > MAX_DATA_FRAME_BYTES) {
        throw new FerryError('FRAME_TOO_LARGE', `Data frame of ${frame.length} bytes exceeds ${MAX_DATA_FRAME_BYTES}.`);
      }
      return { kind: 'data', frame };
    default:
      throw new FerryError('FRAME_UNKNOWN_KIND', `Unknown frame kind 0x${kind.toString(16)}.`);
  }
}
