import type { ClusterView } from '../cluster/cluster-node.js';
import type { ClusterEvent } from './status-events.js';

export interface ClusterStatusOptions {
  now: () => number;
  /** The node's view of its cluster; undefined when not clustered (or not started yet). */
  view: () => ClusterView | undefined;
  /** With nothing else changed, a new round trip is sent at most this often. Default 10 s. */
  refreshMs?: number;
  /** Most nodes listed in one event. Default 100. */
  maxNodes?: number;
}

/** Longer names or versions are cut: they come from Redis, where any node may write. */
const MAX_TEXT = 100;

/**
 * Turns the node's cluster view into `cluster` status events, checked at every flush. The view
 * is a whole state, so an event is sent only when it changed; the round trip alone changes with
 * nearly every Redis command, so it is refreshed on a slower clock instead of filling the history.
 */
export class ClusterStatus {
  private readonly refreshMs: number;
  private readonly maxNodes: number;
  private last: ClusterEvent | undefined;
  /** JSON of the last event's describe(). */
  private lastKey = '';

  constructor(private readonly options: ClusterStatusOptions) {
    this.refreshMs = options.refreshMs ?? 10_000;
    this.maxNodes = options.maxNodes ?? 100;
  }

  /** The event to publish now, if any. */
  flush(): ClusterEvent | undefined {
    const view = this.options.view();
    if (view === undefined) return undefined;
    const t = this.options.now();
    const rest = this.describe(view);
    const key = JSON.stringify(rest);
    const roundTrip = view.redisRoundTripMs === undefined ? undefined : Math.round(view.redisRoundTripMs * 100) / 100;
    const stale = this.last !== undefined && t - this.last.t >= this.refreshMs && roundTrip !== this.last.redisRoundTripMs;
    if (key === this.lastKey && !stale) return undefined;
    this.lastKey = key;
    this.last = { t, ...rest, ...(roundTrip === undefined ? {} : { redisRoundTripMs: roundTrip }) };
    return this.last;
  }

  /** The last event published (for a snapshot: published state only, like the aggregator's). */
  published(): ClusterEvent | undefined {
    return this.last;
  }

  /** The event without its time and round trip: what counts as a change. */
  private describe(view: ClusterView): Omit<ClusterEvent, 't' | 'redisRoundTripMs'> {
    const listed = view.nodes.slice(0, this.maxNodes);
    const omitted = view.nodes.length - listed.length;
    return {
      node: view.node.slice(0, MAX_TEXT),
      redis: view.redis,
      peers: view.peers,
      nodes: listed.map((n) => ({ node: n.node.slice(0, MAX_TEXT), peers: n.peers, startedAt: n.startedAt, version: n.version.slice(0, MAX_TEXT) })),
      ...(omitted > 0 ? { nodesOmitted: omitted } : {}),
    };
  }
}
