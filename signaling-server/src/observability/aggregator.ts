import { REFUSAL_REASONS, RELAYED_TYPES, type RefusalLabel, type RelayedType } from './labels.js';
import type { ResetEvent, StatusEvent } from './status-events.js';

export interface AggregatorOptions {
  now: () => number;
  /** Turns a peer id into what the dashboard may show; absent: counts only. */
  hashPeerId?: (peerId: string) => string;
  /** The authoritative peer count; without it the aggregator counts registrations and leaves. */
  connectedPeers?: () => number;
  /** Most hashed ids listed per kind in one peers event. */
  maxIdsPerEvent?: number;
  /** Points kept for the peer-count chart sent in a snapshot. */
  seriesSize?: number;
}

/**
 * Turns the server's events into at most three status events per flush (peers, refusals,
 * relay), so the dashboard stream and its history stay small however busy the server is: a
 * thousand relayed messages a second become one relay event a second.
 *
 * It keeps two sets of numbers: pending (since the last flush) and published (everything in
 * events already sent). A snapshot holds only published numbers, so a snapshot labelled with
 * event id N followed by events N+1... counts everything exactly once.
 */
export class StatusAggregator {
  private readonly now: () => number;
  private readonly hashPeerId: ((peerId: string) => string) | undefined;
  private readonly connectedPeers: (() => number) | undefined;
  private readonly maxIds: number;
  private readonly seriesSize: number;

  private readonly startedAt: number;
  private lastFlushAt: number;

  // Pending, since the last flush.
  private registeredNow = 0;
  private reconnectedNow = 0;
  private leftNow = 0;
  private ids: { registered: string[]; reconnected: string[]; left: string[] } = emptyIds();
  private idsOmitted = 0;
  private readonly relayedNow = new Array<number>(RELAYED_TYPES.length).fill(0);
  private readonly refusedNow = new Array<number>(REFUSAL_REASONS.length).fill(0);
  private anyRelayed = false;
  private anyRefused = false;
  /** The event-counted peer total (used without connectedPeers), including pending changes. */
  private countedPeers = 0;

  // Published, in events already sent.
  private peers = 0;
  private registrations = 0;
  private reconnects = 0;
  private leaves = 0;
  private readonly relayedTotal = new Array<number>(RELAYED_TYPES.length).fill(0);
  private readonly refusedTotal = new Array<number>(REFUSAL_REASONS.length).fill(0);
  private relayPerSecond = 0;
  private readonly series: Array<[number, number]> = [];

  constructor(options: AggregatorOptions) {
    this.now = options.now;
    this.hashPeerId = options.hashPeerId;
    this.connectedPeers = options.connectedPeers;
    this.maxIds = options.maxIdsPerEvent ?? 20;
    this.seriesSize = options.seriesSize ?? 300;
    this.startedAt = this.now();
    this.lastFlushAt = this.startedAt;
    this.peers = this.currentPeers();
    this.series.push([this.startedAt, this.peers]);
  }

  registered(peerId: string): void {
    this.registeredNow++;
    this.countedPeers++;
    this.noteId('registered', peerId);
  }

  reconnected(peerId: string): void {
    this.reconnectedNow++;
    this.noteId('reconnected', peerId);
  }

  left(peerId: string): void {
    this.leftNow++;
    this.countedPeers = Math.max(0, this.countedPeers - 1);
    this.noteId('left', peerId);
  }

  relayed(typeIndex: number): void {
    this.relayedNow[typeIndex] = (this.relayedNow[typeIndex] ?? 0) + 1;
    this.anyRelayed = true;
  }

  refused(reasonIndex: number): void {
    this.refusedNow[reasonIndex] = (this.refusedNow[reasonIndex] ?? 0) + 1;
    this.anyRefused = true;
  }

  /** Publishes what happened since the last flush: zero to three events, in a fixed order. */
  flush(): StatusEvent[] {
    const t = this.now();
    const elapsedMs = Math.max(1, t - this.lastFlushAt);
    this.lastFlushAt = t;
    const events: StatusEvent[] = [];

    const peers = this.currentPeers();
    if (this.registeredNow + this.reconnectedNow + this.leftNow > 0 || peers !== this.peers) {
      events.push({
        type: 'peers',
        data: {
          t,
          peers,
          registered: this.registeredNow,
          reconnected: this.reconnectedNow,
          left: this.leftNow,
          ...(this.hashPeerId ? { ids: this.ids, idsOmitted: this.idsOmitted } : {}),
        },
      });
      this.peers = peers;
      this.registrations += this.registeredNow;
      this.reconnects += this.reconnectedNow;
      this.leaves += this.leftNow;
      this.registeredNow = this.reconnectedNow = this.leftNow = this.idsOmitted = 0;
      this.ids = emptyIds();
      this.series.push([t, peers]);
      if (this.series.length > this.seriesSize) this.series.shift();
    }

    if (this.anyRefused) {
      const counts = drain(this.refusedNow, this.refusedTotal, REFUSAL_REASONS);
      events.push({ type: 'refusals', data: { t, counts: counts.byLabel, total: counts.total } });
      this.anyRefused = false;
    }

    if (this.anyRelayed) {
      const counts = drain(this.relayedNow, this.relayedTotal, RELAYED_TYPES);
      this.relayPerSecond = round2((counts.total * 1000) / elapsedMs);
      events.push({
        type: 'relay',
        data: { t, counts: counts.byLabel, total: counts.total, perSecond: this.relayPerSecond },
      });
      this.anyRelayed = false;
    } else {
      this.relayPerSecond = 0;
    }
    return events;
  }

  /** Everything published so far. */
  snapshot(): ResetEvent {
    return {
      t: this.now(),
      startedAt: this.startedAt,
      peers: this.peers,
      registrations: this.registrations,
      reconnects: this.reconnects,
      leaves: this.leaves,
      refusals: nonZero(this.refusedTotal, REFUSAL_REASONS),
      relayed: nonZero(this.relayedTotal, RELAYED_TYPES),
      relayPerSecond: this.relayPerSecond,
      peerSeries: this.series.map(([t, n]) => [t, n]),
      showsPeerIds: this.hashPeerId !== undefined,
    };
  }

  private currentPeers(): number {
    return this.connectedPeers ? this.connectedPeers() : this.countedPeers;
  }

  private noteId(kind: 'registered' | 'reconnected' | 'left', peerId: string): void {
    if (!this.hashPeerId) return;
    const list = this.ids[kind];
    // Bounded, and the hash is computed only for ids that will be shown.
    if (list.length < this.maxIds) list.push(this.hashPeerId(peerId));
    else this.idsOmitted++;
  }
}

function emptyIds(): { registered: string[]; reconnected: string[]; left: string[] } {
  return { registered: [], reconnected: [], left: [] };
}

/** Moves pending counts into the totals and returns them by label. */
function drain<L extends RelayedType | RefusalLabel>(
  pending: number[],
  totals: number[],
  labels: readonly L[],
): { byLabel: Partial<Record<L, number>>; total: number } {
  const byLabel: Partial<Record<L, number>> = {};
  let total = 0;
  labels.forEach((label, i) => {
    const n = pending[i] ?? 0;
    if (n === 0) return;
    byLabel[label] = n;
    total += n;
    totals[i] = (totals[i] ?? 0) + n;
    pending[i] = 0;
  });
  return { byLabel, total };
}

function nonZero<L extends string>(values: readonly number[], labels: readonly L[]): Partial<Record<L, number>> {
  const out: Partial<Record<L, number>> = {};
  labels.forEach((label, i) => {
    const n = values[i] ?? 0;
    if (n > 0) out[label] = n;
  });
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
