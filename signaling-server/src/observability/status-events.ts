import type { RefusalLabel, RelayedType } from './labels.js';

/*
 * What /status/events sends, as JSON in each event's data line. The dashboard script
 * (dashboard/script.ts) reads exactly these shapes.
 */

/** Registrations, reconnects and leaves during one flush interval. */
export interface PeersEvent {
  /** Milliseconds since the epoch when the interval ended. */
  t: number;
  /** Peers registered at the end of the interval. */
  peers: number;
  registered: number;
  reconnected: number;
  left: number;
  /** Short keyed hashes of the ids involved (see peer-hash.ts); absent when ids are not shown. */
  ids?: { registered: string[]; reconnected: string[]; left: string[] };
  /** Hashes not listed because the interval had more than the per-event bound. */
  idsOmitted?: number;
}

/** Refusals during one flush interval, by reason (reasons with none are left out). */
export interface RefusalsEvent {
  t: number;
  counts: Partial<Record<RefusalLabel, number>>;
  total: number;
}

/** Relayed messages during one flush interval, by type (types with none are left out). */
export interface RelayEvent {
  t: number;
  counts: Partial<Record<RelayedType, number>>;
  total: number;
  /** Messages per second over the interval. */
  perSecond: number;
}

/** Everything up to and including one event id: sent first, and when history cannot fill a gap. */
export interface ResetEvent {
  t: number;
  startedAt: number;
  peers: number;
  registrations: number;
  reconnects: number;
  leaves: number;
  refusals: Partial<Record<RefusalLabel, number>>;
  relayed: Partial<Record<RelayedType, number>>;
  /** The rate in the last relay event (0 when the last interval relayed nothing). */
  relayPerSecond: number;
  /** Recent peer counts, oldest first, one point per change: [t, peers]. */
  peerSeries: Array<[number, number]>;
  /** Whether peers events carry hashed ids. */
  showsPeerIds: boolean;
}

export type StatusEvent =
  | { type: 'peers'; data: PeersEvent }
  | { type: 'refusals'; data: RefusalsEvent }
  | { type: 'relay'; data: RelayEvent }
  | { type: 'reset'; data: ResetEvent };
