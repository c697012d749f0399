/** Every failure Ferry reports carries a stable code (for programs) and words (for people). */
export type FerryErrorCode =
  | 'FRAME_TOO_SHORT'
  | 'FRAME_TOO_LARGE'
  | 'FRAME_UNKNOWN_KIND'
  | 'FRAME_INVALID_UTF8'
  | 'CONTROL_INVALID_JSON'
  | 'CONTROL_INVALID_MESSAGE'
  | 'PROTOCOL_VERSION_UNSUPPORTED'
  | 'PROTOCOL_HELLO_EXPECTED'
  | 'TEXT_TOO_LONG'
  | 'TEXT_EMPTY'
  | 'CHANNEL_CLOSED'
  | 'PEER_ID_INVALID'
  | 'PEER_UNAVAILABLE'
  | 'PATH_INVALID'
  | 'MANIFEST_INVALID'
  | 'DATA_FRAME_INVALID'
  | 'TRANSFER_UNKNOWN'
  | 'TRANSFER_PROTOCOL'
  | 'FILE_DIGEST_MISMATCH'
  | 'TRANSFER_CANCELLED'
  | 'TRANSFER_DECLINED'
  | 'TRANSFER_INTERRUPTED'
  | 'TRANSFER_PAUSED'
  | 'SINK_FAILED'
  | 'SOURCE_FAILED'
  | 'PAIRING_FAILED'
  | 'PAIRING_CODE_INVALID'
  | 'AUTH_FAILED'
  | 'AUTH_UNPAIRED'
  | 'NAME_INVALID';

export class FerryError extends Error {
  override readonly name = 'FerryError';
  readonly code: FerryErrorCode;

  constructor(code: FerryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}
