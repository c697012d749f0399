import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ClusterView } from '../cluster/cluster-node.js';
import { StatusAggregator } from './aggregator.js';
import { ClusterStatus } from './cluster-status.js';
import { EventHistory } from './history.js';
import { leaveReasonIndex, refusalReasonIndex, relayedTypeIndex } from './labels.js';
import { createSignalMetrics } from './metrics.js';
import { createPeerHasher } from './peer-hash.js';
import { createStatusRouter } from './router.js';
import { eventFrame } from './sse-frame.js';
import { SseHub } from './sse-hub.js';
import type { ResetEvent } from './status-events.js';

export { LEAVE_REASONS, REFUSAL_REASONS, RELAYED_TYPES, type RefusalLabel, type RelayedType } from './labels.js';
export type { ClusterEvent, PeersEvent, RefusalsEvent, RelayEvent, ResetEvent } from './status-events.js';

export interface ObservabilityOptions {
  log: Logger;
  /** Clock for event timestamps and rates. Default Date.now. */
  now?: () => number;
  /** The server's own count of registered peers; without it the gauge follows the events. */
  connectedPeers?: () => number;
  /**
   * The server's cluster view (`server.cluster()`); undefined when not clustered. Given, the
   * dashboard shows the nodes and Redis's state (`cluster` events, checked at every flush).
   */
  cluster?: () => ClusterView | undefined;
  /**
   * Operator token for /metrics and /status (Bearer, or HTTP Basic with the token as password
   * for browsers). Absent: those routes are open. See auth.ts for why both.
   */
  token?: string;
  /** "hashed" (default): the dashboard lists short keyed hashes of peer ids. "none": counts only. */
  peerIds?: 'hashed' | 'none';
  /** Status events kept for reconnecting dashboards. Default 1000. */
  historySize?: number;
  /** Open /status/events streams allowed. Default 16. */
  maxStatusClients?: number;
  /** How often pending counts become status events. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Comment sent on idle streams. Default 15 s. */
  heartbeatMs?: number;
  /** SSE retry field: the browser's reconnect delay. Default 2000 ms. */
  retryMs?: number;
}

/**
 * What the server calls as things happen: the server's SignalingEvents hooks (events.ts), so
 * `events: observability.events` wires them all. Each is cheap (counters and array slots, no
 * I/O) and none throws. Extra arguments the server passes (client addresses) are ignored: an
 * address is neither a bounded label nor something the dashboard may show.
 */
export interface ObservabilityEvents {
  /** A peer registered a new id. */
  registered(peerId: string): void;
  /** A registered id came back on a new socket (PeerJS reconnect): the peer count is unchanged. */
  reconnected(peerId: string): void;
  /** A registered peer is gone; `reason` as in LEAVE_REASONS (others count as "other"). */
  left(peerId: string, reason?: string): void;
  /** The server relayed a message; `type` is the PeerJS type ("OFFER", ...). */
  relayed(type: string, latencyMs: number): void;
  /** A message was held for a destination that is not connected. */
  queued(type: string): void;
  /** The server refused a connection, request or message; see REFUSAL_REASONS. */
  refused(reason: string): void;
  /** GET /ice answered; `withTurn` when it carried TURN credentials. */
  iceServed(withTurn: boolean): void;
}

export interface Observability {
  /** GET /metrics, /status, /status/app.js, /status/app.css, /status/events. */
  readonly router: Router;
  readonly events: ObservabilityEvents;
  /** This instance's Prometheus registry (for tests and for adding server-specific metrics). */
  readonly registry: Registry;
  /** Ends every status stream and stops the timers. Safe to call twice. */
  close(): void;
}

export function createObservability(options: ObservabilityOptions): Observability {
  const { log, connectedPeers } = options;
  // Checked before any timer starts, so a bad option leaves nothing running.
  if (options.token === '') throw new RangeError('the status token must not be empty');
  const now = options.now ?? Date.now;
  const metrics = createSignalMetrics({ ...(connectedPeers ? { connectedPeers } : {}) });
  const aggregator = new StatusAggregator({
    now,
    ...(connectedPeers ? { connectedPeers } : {}),
    ...(options.peerIds === 'none' ? {} : { hashPeerId: createPeerHasher() }),
  });
  const cluster = options.cluster ? new ClusterStatus({ now, view: options.cluster }) : undefined;
  const history = new EventHistory(options.historySize ?? 1000);
  const hub = new SseHub({
    log,
    maxClients: options.maxStatusClients ?? 16,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    retryMs: options.retryMs ?? 2000,
    maxBufferedBytes: 256 * 1024,
    onClientCount: (count) => metrics.setStatusClients(count),
  });

  const flush = () => {
    for (const event of aggregator.flush()) hub.broadcast(history.append(event.type, event.data));
    const clusterEvent = cluster?.flush();
    if (clusterEvent) hub.broadcast(history.append('cluster', clusterEvent));
  };
  // A snapshot holds published state only (see aggregator.ts), the cluster's last event included.
  const snapshot = (): ResetEvent => {
    const published = cluster?.published();
    return { ...aggregator.snapshot(), ...(published ? { cluster: published } : {}) };
  };
  const flusher = setInterval(flush, options.flushIntervalMs ?? 1000);
  flusher.unref();

  const router = createStatusRouter({
    log,
    registry: metrics.registry,
    hub,
    token: options.token,
    // Replay what was missed when history still holds it; otherwise a snapshot labelled with
    // the newest id, so the next live event continues the sequence.
    initialFrames: (lastEventId) =>
      history.since(lastEventId) ?? [eventFrame(history.lastId, 'reset', snapshot())],
  });

  let closed = false;
  return {
    router,
    registry: metrics.registry,
    events: {
      registered: (peerId) => {
        metrics.registered();
        aggregator.registered(peerId);
      },
      reconnected: (peerId) => {
        metrics.reconnected();
        aggregator.reconnected(peerId);
      },
      left: (peerId, reason) => {
        metrics.left(leaveReasonIndex(reason));
        aggregator.left(peerId);
      },
      relayed: (type, latencyMs) => {
        const index = relayedTypeIndex(type);
        metrics.relayed(index, latencyMs / 1000);
        aggregator.relayed(index);
      },
      queued: (type) => metrics.queued(relayedTypeIndex(type)),
      iceServed: (withTurn) => metrics.iceServed(withTurn),
      refused: (reason) => {
        const index = refusalReasonIndex(reason);
        metrics.refused(index);
        aggregator.refused(index);
      },
    },
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(flusher);
      // What happened since the last flush still reaches the open dashboards.
      flush();
      hub.close();
      metrics.close();
    },
  };
}
