import { MAX_CHUNK_BYTES, MIN_CHUNK_BYTES } from '../wire/control.js';
import { DATA_HEADER_BYTES } from '../wire/data-frame.js';

/** What SCTP over DTLS assumes when the peer's SDP does not say (RFC 8841, section 6). */
export const DEFAULT_MAX_MESSAGE_SIZE = 65_536;

/**
 * The largest message the peer accepts, from the `a=max-message-size` line of its SDP. Absent:
 * 64 KiB. Zero means "no limit" (RFC 8841): the protocol's own chunk limit applies then.
 */
export function maxMessageSizeFromSdp(sdp: string | undefined): number {
  const match = sdp ? /^a=max-message-size:(\d+)\s*$/m.exec(sdp) : null;
  if (!match) return DEFAULT_MAX_MESSAGE_SIZE;
  const size = Number(match[1]);
  return size === 0 ? MAX_CHUNK_BYTES + DATA_HEADER_BYTES : size;
}

/** The chunk size to use: the preferred one, shrunk so a data frame fits the peer's limit. */
export function chunkSizeFor(maxMessageSize: number, preferred: number): number {
  const fits = maxMessageSize - DATA_HEADER_BYTES;
  return Math.max(MIN_CHUNK_BYTES, Math.min(preferred, fits, MAX_CHUNK_BYTES));
}
