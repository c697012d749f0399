import { createHmac, randomBytes } from 'node:crypto';

/**
 * Short stand-ins for peer ids on the dashboard. A peer id is what another peer needs to reach
 * it, so the dashboard never shows one. The id is keyed-hashed with a random per-instance key
 * that is never served: the same peer gets the same 8 hex characters for as long as this
 * server runs (so an operator can follow "3fa2c1d0 registered ... left"), but a hash cannot be
 * matched against a guessed id, and it changes on every restart.
 */
export function createPeerHasher(): (peerId: string) => string {
  const key = randomBytes(32);
  return (peerId) => createHmac('sha256', key).update(peerId).digest('hex').slice(0, 8);
}
