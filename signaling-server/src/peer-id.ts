/**
 * Ferry's peer id format, copied from src-core/peer-id.ts: the server imports no app code (it is
 * published on its own), and peer-id.test.ts fails if the two drift apart.
 */
export const PEER_ID_PATTERN = /^ferry-[a-z2-7]{16}$/;

export function isPeerId(value: unknown): value is string {
  return typeof value === 'string' && PEER_ID_PATTERN.test(value);
}

export const PEER_ID_DESCRIPTION = '"ferry-" followed by 16 characters from a-z and 2-7';
