import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LEAVE_REASONS, REFUSAL_REASONS, RELAYED_TYPES } from './labels.js';
import { METRIC_PREFIX, processMetrics } from './process-metrics.js';

/** Where a relay latency falls: from a fast LAN (sub-millisecond) to a struggling server. */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The Prometheus side: one Registry per server instance, so servers in one process never mix. */
export interface SignalMetrics {
  readonly registry: Registry;
  registered(): void;
  reconnected(): void;
  left(reasonIndex: number): void;
  relayed(typeIndex: number, latencySeconds: number): void;
  queued(typeIndex: number): void;
  iceServed(withTurn: boolean): void;
  refused(reasonIndex: number): void;
  /** The number of open /status/events streams. */
  setStatusClients(count: number): void;
  close(): void;
}

export interface SignalMetricsOptions {
  /** The authoritative peer count, read at scrape time; without it the gauge counts events. */
  connectedPeers?: () => number;
}

export function createSignalMetrics(options: SignalMetricsOptions = {}): SignalMetrics {
  const registry = new Registry();
  for (const metric of processMetrics()) registry.registerMetric(metric);
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  const { connectedPeers } = options;
  const peers = new Gauge({
    name: name('peers_connected'),
    help: 'Peers registered with the server right now.',
    registers,
    // Read at scrape time: the server's own count cannot drift from missed or doubled events.
    collect() {
      if (connectedPeers) this.set(connectedPeers());
    },
  });
  const registrations = new Counter({
    name: name('registrations_total'),
    help: 'Peers that registered a new id.',
    registers,
  });
  const reconnects = new Counter({
    name: name('reconnects_total'),
    help: 'Registered peers that came back on a new socket.',
    registers,
  });
  const leaves = new Counter({
    name: name('leaves_total'),
    help: 'Registered peers that went away, by reason (closed, timeout, cut-off).',
    labelNames: ['reason'],
    registers,
  });
  const relayedTotal = new Counter({
    name: name('relayed_messages_total'),
    help: 'Messages relayed from one peer to another, by PeerJS message type.',
    labelNames: ['type'],
    registers,
  });
  const queuedTotal = new Counter({
    name: name('queued_messages_total'),
    help: 'Messages held for a destination that was not connected, by PeerJS message type.',
    labelNames: ['type'],
    registers,
  });
  const iceServed = new Counter({
    name: name('ice_served_total'),
    help: 'GET /ice answers, by whether they carried TURN credentials.',
    labelNames: ['turn'],
    registers,
  });
  const refusals = new Counter({
    name: name('refusals_total'),
    help: 'Connections or messages the server turned away, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const latency = new Histogram({
    name: name('relay_latency_seconds'),
    help: 'Time from receiving a message to handing it to the destination socket.',
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const statusClients = new Gauge({
    name: name('status_clients'),
    help: 'Open /status/events streams.',
    registers,
  });

  // Children bound once: the hot path (one call per relayed message) then skips label hashing
  // of a fresh object, and every label value exists from the start (a 0 is a fact too).
  const relayedByType = RELAYED_TYPES.map((type) => relayedTotal.labels(type));
  const queuedByType = RELAYED_TYPES.map((type) => queuedTotal.labels(type));
  const refusalsByReason = REFUSAL_REASONS.map((reason) => refusals.labels(reason));
  const leavesByReason = LEAVE_REASONS.map((reason) => leaves.labels(reason));
  const iceWithTurn = iceServed.labels('yes');
  const iceWithoutTurn = iceServed.labels('no');
  for (const child of [...relayedByType, ...queuedByType, ...refusalsByReason, ...leavesByReason, iceWithTurn, iceWithoutTurn]) {
    child.inc(0);
  }

  // Without the server's count, follow the events; never below 0 if a leave is reported twice.
  let counted = 0;
  return {
    registry,
    registered: () => {
      registrations.inc();
      if (!connectedPeers) peers.set(++counted);
    },
    reconnected: () => reconnects.inc(),
    left: (reasonIndex) => {
      leavesByReason[reasonIndex]?.inc();
      if (!connectedPeers) peers.set((counted = Math.max(0, counted - 1)));
    },
    relayed: (typeIndex, latencySeconds) => {
      relayedByType[typeIndex]?.inc();
      if (Number.isFinite(latencySeconds) && latencySeconds >= 0) latency.observe(latencySeconds);
    },
    queued: (typeIndex) => queuedByType[typeIndex]?.inc(),
    iceServed: (withTurn) => (withTurn ? iceWithTurn : iceWithoutTurn).inc(),
    refused: (reasonIndex) => refusalsByReason[reasonIndex]?.inc(),
    setStatusClients: (count) => statusClients.set(count),
    // Drops this instance's references; the shared process metrics live on in other registries.
    close: () => registry.clear(),
  };
}
