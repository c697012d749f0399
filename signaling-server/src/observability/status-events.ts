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
  /** The last cluster event's view (absent when the server is not clustered, or none was sent yet). */
  cluster?: ClusterEvent;
}

/**
 * The cluster as this node sees it (servers on Redis only): sent when nodes, peer counts or
 * Redis's state changed, and now and then for a fresh round trip. A whole view, not a change.
 */
export interface ClusterEvent {
  t: number;
  /** This node's name (operator-chosen text). */
  node: string;
  redis: 'up' | 'down';
  /** Last Redis round trip in ms; absent before the first. */
  redisRoundTripMs?: number;
  /** Peers registered across the cluster. */
  peers: number;
  /** Live nodes by name, this one included; startedAt is ms since the epoch on that node's clock. */
  nodes: Array<{ node: string; peers: number; startedAt: number; version: string }>;
  /** Nodes not listed because the cluster has more than the per-event bound. */
  nodesOmitted?: number;
}

export type StatusEvent =
  | { type: 'peers'; data: PeersEvent }
  | { type: 'refusals'; data: RefusalsEvent }
  | { type: 'relay'; data: RelayEvent }
  | { type: 'cluster'; data: ClusterEvent }
  | { type: 'reset'; data: ResetEvent };
