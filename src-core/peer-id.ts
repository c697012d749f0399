import { FerryError } from './errors.js';
import { randomId } from './random-id.js';
import type { Runtime } from './runtime.js';

/**
 * A Ferry peer id on the signaling server: "ferry-" and 16 base32 characters. Until pairing
 * derives ids from identity keys, ids are random (80 bits) and chosen by the device itself.
 */
export const PEER_ID_PATTERN = /^ferry-[a-z2-7]{16}$/;

export function createPeerId(runtime: Pick<Runtime, 'randomBytes'>): string {
  return `ferry-${randomId(runtime, 16)}`;
}

export function parsePeerId(input: string): string {
  const id = input.trim().toLowerCase();
  if (!PEER_ID_PATTERN.test(id)) {
    throw new FerryError(
      'PEER_ID_INVALID',
      'That is not a Ferry device id. It looks like "ferry-" followed by 16 letters and digits.',
    );
  }
  return id;
}
