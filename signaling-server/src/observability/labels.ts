import type { LeaveReason } from '../events.js';
import { type RefusalReason, REFUSAL_REASONS as SERVER_REFUSAL_REASONS } from '../refusals.js';

/*
 * Label values for the metrics. Prometheus keeps one time series per label value forever, so a
 * value taken from the wire (a message type a client made up) would let any client grow the
 * server's memory and the operator's TSDB without bound. Every label comes from a fixed set
 * here, and anything else is counted as "other".
 */

/** The PeerJS message types the server relays between peers. */
export const RELAYED_TYPES = ['offer', 'answer', 'candidate', 'leave', 'expire', 'other'] as const;
export type RelayedType = (typeof RELAYED_TYPES)[number];

/** Why the server turned something away: the server's own reasons (refusals.ts), plus "other". */
export type RefusalLabel = RefusalReason | 'other';
export const REFUSAL_REASONS: readonly RefusalLabel[] = [...SERVER_REFUSAL_REASONS, 'other'];

/** Why a peer is gone (events.ts), plus "other". */
export const LEAVE_REASONS = ['closed', 'timeout', 'cut-off', 'other'] as const;
// Fails to compile when the server gains a leave reason this list lacks.
const _everyLeaveReason: [Exclude<LeaveReason, (typeof LEAVE_REASONS)[number]>] extends [never] ? true : never = true;
void _everyLeaveReason;

const relayedIndex = indexOf(RELAYED_TYPES);
const refusalIndex = indexOf(REFUSAL_REASONS);
const leaveIndex = indexOf(LEAVE_REASONS);

/**
 * Index of a message type in RELAYED_TYPES. PeerJS spells types in capitals ("OFFER"); both
 * spellings are in the map, so the hot path (one call per relayed message) allocates nothing.
 */
export function relayedTypeIndex(type: string): number {
  return relayedIndex.get(type) ?? RELAYED_TYPES.length - 1;
}

/** Index of a refusal reason in REFUSAL_REASONS ("other" for anything unknown). */
export function refusalReasonIndex(reason: string): number {
  return refusalIndex.get(reason) ?? REFUSAL_REASONS.length - 1;
}

/** Index of a leave reason in LEAVE_REASONS ("other" for anything unknown or absent). */
export function leaveReasonIndex(reason: string | undefined): number {
  return (reason === undefined ? undefined : leaveIndex.get(reason)) ?? LEAVE_REASONS.length - 1;
}

function indexOf(values: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  values.forEach((value, index) => {
    map.set(value, index);
    map.set(value.toUpperCase(), index);
  });
  return map;
}
