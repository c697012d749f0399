import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { HeldDeadlines } from './held-deadlines.js';
import {
  CHANNEL_KIND, HELD_MARGIN_MS, heldKey, NODE_CHANNEL_PREFIX, NODE_HEARTBEAT_MS, NODE_REPORT_TTL_MS, nodeChannel,
  NODE_REPORT_PREFIX, nodeKey, NODES_KEY, peerKey,
} from './keys.js';
import { type RedisConfig, RedisLink, type RedisState, redactRedisUrl } from './redis-link.js';
import { heldMessage } from './scripts.js';

/** What the node needs from the server it runs in: its own registered peers. */
export interface LocalPeers {
  /** The open socket of a peer registered on this node. */
  socketOf(peerId: string): { send(data: string): void } | undefined;
  /** Every peer registered here (for renewing their registrations). */
  ids(): string[];
  /** The PeerJS token of a peer registered here now; undefined once it left. */
  tokenOf(peerId: string): string | undefined;
  count(): number;
  /** The same client took the id over on another node: close the socket that holds it here. */
  letGo(peerId: string): void;
  /** Another client holds the id now (it registered elsewhere while Redis was away). */
  lost(peerId: string): void;
  /** A message was held for a peer connected nowhere. */
  held(type: string): void;
  /** A message was dropped: the held queue of its destination is full. */
  queueFull(): void;
}

/** Counters and timings for /metrics (cluster-metrics.ts). */
export interface ClusterEvents {
  crossNode?(direction: 'out' | 'in'): void;
  redisRoundTrip?(ms: number): void;
  redisError?(): void;
}

export interface ClusterOptions {
  redis: RedisConfig;
  /** This node's name in the cluster; default host name and a random suffix. */
  nodeId?: string;
  /** A registration lives this long unless renewed (the server's alive timeout). */
  aliveTimeoutMs: number;
  queueLimit: number;
  queueTimeoutMs: number;
  /** With a shared access token every client has the same token: a held id is never taken over. */
  exclusiveIds: boolean;
  version: string;
  log: Logger;
  events?: ClusterEvents;
}

export type ClaimResult =
  /** The id is this node's now; `held` are messages that waited for it, in order. */
  | { kind: 'ok'; held: string[] }
  /** Another client holds it on another node. */
  | { kind: 'taken'; holder: string }
  /** Redis is away: granted on this node's word, checked again when Redis is back. */
  | { kind: 'unchecked' };

export interface ClusterNodeReport {
  node: string;
  peers: number;
  startedAt: number;
  version: string;
}

export interface ClusterView {
  node: string;
  redis: RedisState;
  /** Live nodes as last reported (this one with its count now), by name. */
  nodes: ClusterNodeReport[];
  /** Peers registered across the cluster. */
  peers: number;
  /** Last Redis round trip, ms (undefined before the first one). */
  redisRoundTripMs: number | undefined;
}

/** A message as `peer` parsed it (src already set to the sender's id). */
export interface RoutedMessage {
  type: string;
  src: string;
  dst: string;
}

const NOT_HELD: ReadonlySet<string> = new Set(['LEAVE', 'EXPIRE']);
/** Registrations renewed per script call. */
const RENEW_BATCH = 500;

/**
 * One signaling node's part in a cluster on Redis: one id space (claims with expiry, renewed),
 * routing to the node that holds a destination, messages held for ids connected nowhere, and a
 * report of itself for the others. See keys.ts for what lives in Redis and scripts.ts for each
 * operation; docs/self-hosting.md for failures.
 */
export class ClusterNode {
  readonly nodeId: string;
  private readonly link: RedisLink;
  private readonly startedAt = Date.now();
  private readonly heldDeadlines = new HeldDeadlines();
  /** Ids being claimed: messages for them wait here until the socket is handed to `peer`. */
  private readonly claiming = new Map<string, string[]>();
  private readonly timers: NodeJS.Timeout[] = [];
  private others: ClusterNodeReport[] = [];
  private lastRoundTripMs: number | undefined;
  private closed = false;

  constructor(
    private readonly options: ClusterOptions,
    private readonly local: LocalPeers,
  ) {
    this.nodeId = options.nodeId ?? `${hostname().replace(/[^\w.-]/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    this.link = new RedisLink(options.redis, options.log, (state) => this.onRedisState(state));
    this.link.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onChannelMessage(message.toString()));
  }

  get redisState(): RedisState {
    return this.link.state;
  }

  async start(): Promise<void> {
    this.options.log.info({ node: this.nodeId, redis: redactRedisUrl(this.options.redis.url) }, 'joining the cluster');
    await this.link.connect();
    // Queued by ioredis until connected, and repeated by it after every reconnect.
    void this.link.subscriber.subscribe(nodeChannel(this.nodeId)).catch(() => {});
    if (this.link.state === 'down') this.options.log.warn({ node: this.nodeId }, 'redis is not reachable; serving this node’s own clients until it is');
    const every = (ms: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => void task().catch(() => {}), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(NODE_HEARTBEAT_MS, () => this.report());
    every(Math.min(20_000, Math.max(1_000, Math.floor(this.options.aliveTimeoutMs / 3))), () => this.renew());
    every(1_000, () => this.expireHeld());
    await this.report().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.link.state === 'up') {
      // A node that stops hands its ids back at once (its clients reconnect elsewhere), not after the alive timeout.
      const releases = this.local.ids().map((id) => {
        const token = this.local.tokenOf(id);
        return token === undefined ? undefined : this.link.commands.ferryRelease(peerKey(id), this.presence(token)).catch(() => 0);
      });
      await Promise.all(releases);
      await this.link.commands.multi().del(nodeKey(this.nodeId)).zrem(NODES_KEY, this.nodeId).exec().catch(() => {});
    }
    await this.link.close();
  }

  /** Whether a claim for `peerId` is out: a second socket for it waits for no answer, it is refused. */
  isClaiming(peerId: string): boolean {
    return this.claiming.has(peerId);
  }

  /** Asks Redis for `peerId` before its socket is handed to `peer`. */
  async claim(peerId: string, token: string): Promise<ClaimResult> {
    this.claiming.set(peerId, []);
    if (this.link.state === 'down') return { kind: 'unchecked' };
    try {
      const reply = await this.timed(
        this.link.commands.ferryClaim(peerKey(peerId), heldKey(peerId), this.nodeId, this.tokenHash(token), this.options.aliveTimeoutMs, this.options.exclusiveIds ? '1' : '0', NODE_CHANNEL_PREFIX, peerId, NODE_REPORT_PREFIX),
      );
      if (reply[0] === 'taken') {
        this.claiming.delete(peerId);
        return { kind: 'taken', holder: reply[1] ?? '' };
      }
      return { kind: 'ok', held: reply.slice(2).map(heldMessage) };
    } catch {
      return { kind: 'unchecked' };
    }
  }

  /** The socket is `peer`'s now: the messages that arrived meanwhile, to send in order. */
  claimed(peerId: string): string[] {
    const waiting = this.claiming.get(peerId) ?? [];
    this.claiming.delete(peerId);
    return waiting;
  }

  /**
   * The socket is gone before `peer` took it (it closed during the claim, or `peer` refused it):
   * the id is free again, and what was taken or kept for it is held again for its next socket.
   */
  abandon(peerId: string, token: string, held: readonly string[]): void {
    const waiting = [...held, ...(this.claiming.get(peerId) ?? [])];
    this.release(peerId, token);
    for (const json of waiting) {
      const message = parseRouted(json);
      if (message !== undefined) this.send(peerId, json, message.type, message.src, true);
    }
  }

  /** The peer left: the id is free again. */
  release(peerId: string, token: string): void {
    this.claiming.delete(peerId);
    if (this.link.state === 'down') return; // it expires by itself
    void this.timed(this.link.commands.ferryRelease(peerKey(peerId), this.presence(token))).catch(() => {});
  }

  /** A message from a peer here to one that is not registered here. */
  route(message: RoutedMessage): void {
    this.send(message.dst, JSON.stringify(message), message.type, message.src, false);
  }

  view(): ClusterView {
    const self: ClusterNodeReport = { node: this.nodeId, peers: this.local.count(), startedAt: this.startedAt, version: this.options.version };
    const nodes = [self, ...this.others].sort((a, b) => a.node.localeCompare(b.node));
    return { node: this.nodeId, redis: this.link.state, nodes, peers: nodes.reduce((sum, n) => sum + n.peers, 0), redisRoundTripMs: this.lastRoundTripMs };
  }

  /** Peers registered across the cluster (others as last reported, at most a heartbeat old). */
  peersInCluster(): number {
    return this.others.reduce((sum, n) => sum + n.peers, this.local.count());
  }

  /**
   * Routes `json` to `dst` wherever it is, or holds it; `src` hears EXPIRE if it cannot cross.
   * `notHere`: this node has no socket for dst (a registration naming it is stale: hold).
   */
  private send(dst: string, json: string, type: string, src: string, notHere: boolean): void {
    const holdable = !NOT_HELD.has(type);
    if (this.link.state === 'down') {
      this.cannotCross(dst, type, src);
      return;
    }
    const deadline = Date.now() + this.options.queueTimeoutMs;
    // Not timed: a message's route is the hot path; the round trip is sampled by the node's report.
    this.link.commands
      .ferryRoute(peerKey(dst), heldKey(dst), this.nodeId, NODE_CHANNEL_PREFIX, dst, json, holdable ? '1' : '0', this.options.queueLimit, deadline, this.options.queueTimeoutMs + HELD_MARGIN_MS, notHere ? '1' : '0', NODE_REPORT_PREFIX)
      .then(
      (result) => {
        switch (result) {
          case 'sent':
            this.options.events?.crossNode?.('out');
            return;
          case 'self':
            this.deliverHere(dst, json, type, src);
            return;
          case 'held':
            this.heldDeadlines.add(dst, deadline);
            this.local.held(type);
            return;
          case 'full':
            this.local.queueFull();
            return;
          default:
            return; // 'gone': a LEAVE or EXPIRE for nobody
        }
      },
      () => {
        this.options.events?.redisError?.();
        this.cannotCross(dst, type, src);
      },
    );
  }

  /** A message for a peer of this node (from another node, or routed to itself). */
  private deliverHere(dst: string, json: string, type: string, src: string): void {
    const socket = this.local.socketOf(dst);
    if (socket !== undefined) {
      socket.send(json);
      return;
    }
    const waiting = this.claiming.get(dst);
    if (waiting !== undefined) {
      if (waiting.length < this.options.queueLimit) waiting.push(json);
      return;
    }
    // It left this node a moment ago: hold the message like any other for an absent peer.
    this.send(dst, json, type, src, true);
  }

  /** Redis could not carry a message: its sender hears EXPIRE now rather than nothing ever. */
  private cannotCross(dst: string, type: string, src: string): void {
    if (NOT_HELD.has(type)) return;
    const expire = JSON.stringify({ type: 'EXPIRE', src: dst, dst: src });
    const socket = this.local.socketOf(src);
    if (socket !== undefined) socket.send(expire);
    else if (this.link.state === 'up') this.send(src, expire, 'EXPIRE', dst, false);
  }

  private onChannelMessage(text: string): void {
    if (text.startsWith(CHANNEL_KIND.message)) {
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      const dst = text.slice(1, newline);
      const json = text.slice(newline + 1);
      this.options.events?.crossNode?.('in');
      const socket = this.local.socketOf(dst);
      if (socket !== undefined) {
        socket.send(json);
        return;
      }
      const parsed = parseRouted(json);
      if (parsed !== undefined) this.deliverHere(dst, json, parsed.type, parsed.src);
    } else if (text.startsWith(CHANNEL_KIND.letGo)) {
      this.local.letGo(text.slice(1));
    }
  }

  private onRedisState(state: RedisState): void {
    if (this.closed) return;
    if (state === 'down') {
      this.options.events?.redisError?.();
      this.options.log.warn({ node: this.nodeId }, 'redis is down: relaying between this node’s own clients only');
      return;
    }
    this.options.log.info({ node: this.nodeId }, 'redis is up: the cluster is one again');
    // Restore what a Redis restart lost: this node's registrations and its report.
    void this.renew().catch(() => {});
    void this.report().catch(() => {});
  }

  /** Extends this node's registrations; restores lost ones; lets go of ids another client holds now. */
  private async renew(): Promise<void> {
    if (this.link.state === 'down') return;
    const ids = this.local.ids();
    for (let start = 0; start < ids.length; start += RENEW_BATCH) {
      // Each batch is read from the registry just before it goes: a peer that left meanwhile is
      // not put back (a registration restored after its release would linger for the alive timeout).
      const batch: Array<readonly [string, string]> = [];
      for (const id of ids.slice(start, start + RENEW_BATCH)) {
        const token = this.local.tokenOf(id);
        if (token !== undefined) batch.push([id, token]);
      }
      if (batch.length === 0) continue;
      const lost = await this.timed(
        this.link.commands.ferryRenew(batch.length, ...batch.map(([id]) => peerKey(id)), this.nodeId, this.options.aliveTimeoutMs, ...batch.map(([, token]) => this.tokenHash(token))),
      );
      for (const index of lost) {
        const id = batch[index - 1]?.[0];
        if (id !== undefined) this.local.lost(id);
      }
    }
  }

  /** Reports this node and reads the others' reports. */
  private async report(): Promise<void> {
    if (this.link.state === 'down' || this.closed) return;
    const now = Date.now();
    const mine: ClusterNodeReport = { node: this.nodeId, peers: this.local.count(), startedAt: this.startedAt, version: this.options.version };
    const started = performance.now();
    const replies = await this.link.commands
      .multi()
      .set(nodeKey(this.nodeId), JSON.stringify(mine), 'PX', NODE_REPORT_TTL_MS)
      .zadd(NODES_KEY, now + NODE_REPORT_TTL_MS, this.nodeId)
      .zremrangebyscore(NODES_KEY, '-inf', now)
      .zrange(NODES_KEY, 0, -1)
      .exec();
    this.roundTrip(performance.now() - started);
    const names = ((replies?.[3]?.[1] as string[] | undefined) ?? []).filter((name) => name !== this.nodeId);
    const reports = names.length === 0 ? [] : await this.timed(this.link.commands.mget(...names.map(nodeKey)));
    this.others = reports.flatMap((text) => {
      const report = text === null ? undefined : parseReport(text);
      return report === undefined ? [] : [report];
    });
  }

  /** Answers the senders of held messages whose time ran out with EXPIRE, as `peer` does. */
  private async expireHeld(): Promise<void> {
    if (this.link.state === 'down') return;
    const now = Date.now();
    for (const dst of this.heldDeadlines.due(now)) {
      let expired: string[];
      try {
        expired = await this.timed(this.link.commands.ferryExpireHeld(heldKey(dst), this.nodeId, now));
      } catch {
        this.heldDeadlines.add(dst, now); // asked again at the next sweep
        continue;
      }
      const senders = new Set<string>();
      for (const json of expired) {
        const message = parseRouted(json);
        if (message !== undefined) senders.add(message.src);
      }
      for (const src of senders) {
        const expire = JSON.stringify({ type: 'EXPIRE', src: dst, dst: src });
        const socket = this.local.socketOf(src);
        if (socket !== undefined) socket.send(expire);
        else this.send(src, expire, 'EXPIRE', dst, false);
      }
    }
  }

  /**
   * What Redis keeps of a token: enough to tell the same client from another, not the token. With
   * a shared access token every client has the same one, ids are never taken over, and nothing
   * derived from the operator's secret is stored.
   */
  private tokenHash(token: string): string {
    return this.options.exclusiveIds ? 'shared' : createHash('sha256').update(token).digest('base64url').slice(0, 22);
  }

  private presence(token: string): string {
    return `${this.nodeId}\n${this.tokenHash(token)}`;
  }

  private async timed<T>(command: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await command;
      this.roundTrip(performance.now() - started);
      return result;
    } catch (error) {
      this.options.events?.redisError?.();
      throw error;
    }
  }

  private roundTrip(ms: number): void {
    this.lastRoundTripMs = ms;
    this.options.events?.redisRoundTrip?.(ms);
  }
}


function parseRouted(json: string): RoutedMessage | undefined {
  try {
    const value = JSON.parse(json) as Partial<RoutedMessage>;
    return typeof value.type === 'string' && typeof value.src === 'string' && typeof value.dst === 'string' ? (value as RoutedMessage) : undefined;
  } catch {
    return undefined;
  }
}

function parseReport(text: string): ClusterNodeReport | undefined {
  try {
    const value = JSON.parse(text) as Partial<ClusterNodeReport>;
    return typeof value.node === 'string' && typeof value.peers === 'number' && typeof value.startedAt === 'number' && typeof value.version === 'string'
      ? { node: value.node, peers: value.peers, startedAt: value.startedAt, version: value.version }
      : undefined;
  } catch {
    return undefined;
  }
}
