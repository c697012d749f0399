import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../observability/process-metrics.js';
import type { ClusterEvents, ClusterView } from './cluster-node.js';

/**
 * Redis round trips: a few hundred microseconds on a local network, milliseconds across zones,
 * a second when Redis or the link struggles (beyond that ioredis times out and it is an error).
 */
const ROUND_TRIP_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * A clustered node's metrics on the server's registry: counters and a histogram fed by the
 * node's hooks (the returned ClusterEvents, for the server's `clusterEvents` option), gauges read
 * from `view` at scrape time so they cannot drift from what the node itself says. Before the
 * server has started (`view` gives undefined) the gauges read 0.
 */
export function createClusterMetrics(registry: Registry, view: () => ClusterView | undefined): ClusterEvents {
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  const crossNode = new Counter({
    name: name('cross_node_messages_total'),
    help: 'Messages that crossed to or from another node over Redis, by direction (out, in).',
    labelNames: ['direction'],
    registers,
  });
  const redisErrors = new Counter({
    name: name('redis_errors_total'),
    help: 'Redis commands that failed, and connections to Redis that went down.',
    registers,
  });
  const roundTrip = new Histogram({
    name: name('redis_round_trip_seconds'),
    help: 'Time from sending a Redis command (or transaction) to its reply.',
    buckets: ROUND_TRIP_BUCKETS_SECONDS,
    registers,
  });
  new Gauge({
    name: name('redis_up'),
    help: 'Whether this node reaches Redis (1) or serves only its own clients (0).',
    registers,
    collect() {
      this.set(view()?.redis === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: name('cluster_nodes'),
    help: 'Live nodes in the cluster as this node last heard, itself included.',
    registers,
    collect() {
      this.set(view()?.nodes.length ?? 0);
    },
  });
  new Gauge({
    name: name('cluster_peers'),
    help: 'Peers registered across the cluster (other nodes as last reported).',
    registers,
    collect() {
      this.set(view()?.peers ?? 0);
    },
  });

  // Both directions exist from the first scrape: rate() over a series that appears late misses its start.
  const out = crossNode.labels('out');
  const into = crossNode.labels('in');
  out.inc(0);
  into.inc(0);

  return {
    crossNode: (direction) => (direction === 'out' ? out : into).inc(),
    redisRoundTrip: (ms) => {
      if (Number.isFinite(ms) && ms >= 0) roundTrip.observe(ms / 1000);
    },
    redisError: () => redisErrors.inc(),
  };
}
