import type { Logger } from 'pino';
import { REFUSAL_REASONS, type RefusalReason } from './refusals.js';

/** Why a registered peer is gone. */
export type LeaveReason =
  /** Its socket closed (the client left, or the network told us). */
  | 'closed'
  /** It answered no ping, or sent no PeerJS heartbeat, within the alive timeout. */
  | 'timeout'
  /** The server closed it: over the message rate. */
  | 'cut-off';

/**
 * Hooks for metrics and status pages. All optional; called synchronously on the server's hot
 * paths, so they must be cheap and must not throw (a throwing hook is logged once and ignored).
 * `relayed` runs for every relayed message: increment a counter, add to a histogram, no more.
 */
export interface SignalingEvents {
  /** A peer id registered on a new socket. `address` is the client address (see --trust-proxy). */
  registered?(peerId: string, address: string): void;
  /** A registered id came back on a new socket with its token (PeerJS reconnect); the old socket is closed. */
  reconnected?(peerId: string, address: string): void;
  /** A registered peer is gone. */
  left?(peerId: string, reason: LeaveReason): void;
  /**
   * A message was handed to its destination's socket. `latencyMs`: from the server receiving the
   * frame to writing it to the destination socket (parse, checks, routing, serialise).
   */
  relayed?(type: string, latencyMs: number): void;
  /** A message was held for a destination that is not connected (delivered if it connects in time). */
  queued?(type: string): void;
  /** A connection, HTTP request or message was refused. `address` is the client address. */
  refused?(reason: RefusalReason, address: string): void;
  /** GET /ice answered; `withTurn` when it carried TURN credentials. */
  iceServed?(withTurn: boolean): void;
}

/** Running totals since start (the pull side of the same events). */
export interface SignalingCounters {
  registered: number;
  reconnected: number;
  left: Record<LeaveReason, number>;
  relayed: number;
  queued: number;
  iceServed: number;
  refused: Record<RefusalReason, number>;
}

/** Counts every event and forwards it to the hooks, shielding the server from hook failures. */
export class Telemetry {
  readonly counters: SignalingCounters = {
    registered: 0,
    reconnected: 0,
    left: { closed: 0, timeout: 0, 'cut-off': 0 },
    relayed: 0,
    queued: 0,
    iceServed: 0,
    refused: Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>,
  };
  /** Whether anyone listens for relay latency (saves two clock reads per message when not). */
  readonly timesRelays: boolean;
  private hookFailed = false;

  constructor(
    private readonly hooks: SignalingEvents,
    private readonly log: Logger,
  ) {
    this.timesRelays = hooks.relayed !== undefined;
  }

  registered(peerId: string, address: string): void {
    this.counters.registered++;
    if (this.hooks.registered) this.guard(() => this.hooks.registered?.(peerId, address));
  }

  reconnected(peerId: string, address: string): void {
    this.counters.reconnected++;
    if (this.hooks.reconnected) this.guard(() => this.hooks.reconnected?.(peerId, address));
  }

  left(peerId: string, reason: LeaveReason): void {
    this.counters.left[reason]++;
    if (this.hooks.left) this.guard(() => this.hooks.left?.(peerId, reason));
  }

  relayed(type: string, latencyMs: number): void {
    this.counters.relayed++;
    const hook = this.hooks.relayed;
    if (hook === undefined) return;
    // Inline rather than guard(): no closure per message.
    try {
      hook(type, latencyMs);
    } catch (error) {
      this.hookError(error);
    }
  }

  queued(type: string): void {
    this.counters.queued++;
    if (this.hooks.queued) this.guard(() => this.hooks.queued?.(type));
  }

  refused(reason: RefusalReason, address: string): void {
    this.counters.refused[reason]++;
    if (this.hooks.refused) this.guard(() => this.hooks.refused?.(reason, address));
  }

  iceServed(withTurn: boolean): void {
    this.counters.iceServed++;
    if (this.hooks.iceServed) this.guard(() => this.hooks.iceServed?.(withTurn));
  }

  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.hookError(error);
    }
  }

  private hookError(error: unknown): void {
    if (this.hookFailed) return;
    this.hookFailed = true;
    this.log.error({ err: { message: (error as Error)?.message } }, 'a signaling event hook threw; further failures are not logged');
  }
}
