import { FerryError } from '../errors.js';
import { FrameKind } from './frame.js';

/*
 * Data frame: a fixed 17-byte big-endian header and the chunk's bytes. See SPEC.md, "Data frames".
 *   0 kind (0x02) | 1 transferId u32 | 5 fileIndex u32 | 9 chunkIndex u32 | 13 length u32 | 17 payload
 */
export const DATA_HEADER_BYTES = 17;

export interface DataFrameHeader {
  transferId: number;
  fileIndex: number;
  chunkIndex: number;
  length: number;
}

/** Allocates a frame with room for `length` payload bytes; the caller fills `payload`. */
export function allocateDataFrame(header: Omit<DataFrameHeader, 'length'>, length: number): { frame: Uint8Array; payload: Uint8Array } {
  const frame = new Uint8Array(DATA_HEADER_BYTES + length);
  const view = new DataView(frame.buffer);
  view.setUint8(0, FrameKind.data);
  view.setUint32(1, header.transferId);
  view.setUint32(5, header.fileIndex);
  view.setUint32(9, header.chunkIndex);
  view.setUint32(13, length);
  return { frame, payload: frame.subarray(DATA_HEADER_BYTES) };
}

export function encodeDataFrame(header: Omit<DataFrameHeader, 'length'>, payload: Uint8Array): Uint8Array {
  const { frame, payload: target } = allocateDataFrame(header, payload.length);
  target.set(payload);
  return frame;
}

/** Parses a data frame (kind byte included). The payload is a view into `frame`, not a copy. */
export function decodeDataFrame(frame: Uint8Array): { header: DataFrameHeader; payload: Uint8Array } {
  if (frame.length < DATA_HEADER_BYTES) {
    throw new FerryError('DATA_FRAME_INVALID', `Data frame of ${frame.length} bytes is shorter than its header.`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== FrameKind.data) throw new FerryError('DATA_FRAME_INVALID', 'Not a data frame.');
  const header: DataFrameHeader = {
    transferId: view.getUint32(1),
    fileIndex: view.getUint32(5),
    chunkIndex: view.getUint32(9),
    length: view.getUint32(13),
  };
  if (header.length !== frame.length - DATA_HEADER_BYTES) {
    throw new FerryError(
      'DATA_FRAME_INVALID',
      `Data frame header says ${header.length} bytes but ${frame.length - DATA_HEADER_BYTES} follow.`,
    );
  }
  return { header, payload: frame.subarray(DATA_HEADER_BYTES) };
}
