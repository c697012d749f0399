import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { CLAIM, EXPIRE_HELD, RELEASE, RENEW, ROUTE } from './scripts.js';

/** Where the cluster's Redis is: `redis://` or `rediss://` (TLS) URL, and a password if the URL has none. */
export interface RedisConfig {
  url: string;
  /** Read from a file by the CLI (--redis-password-file), so it stays out of the process list. */
  password?: string;
}

/** The scripts of scripts.ts as ioredis commands (EVALSHA, reloaded after NOSCRIPT). */
export interface ClusterRedis extends Redis {
  ferryClaim(peer: string, held: string, node: string, hash: string, ttlMs: number, exclusive: string, prefix: string, peerId: string, reportPrefix: string): Promise<string[]>;
  ferryRelease(peer: string, value: string): Promise<number>;
  ferryRenew(...keysThenArgs: (string | number)[]): Promise<number[]>;
  ferryRoute(peer: string, held: string, node: string, prefix: string, dst: string, json: string, holdable: string, limit: number, deadline: number, heldTtlMs: number, notHere: string, reportPrefix: string): Promise<string>;
  ferryExpireHeld(held: string, node: string, now: number): Promise<string[]>;
}

export type RedisState = 'up' | 'down';

/**
 * The two connections a node keeps: commands, and a subscriber for its channel. Commands fail at
 * once while Redis is away (no offline queue: a message must not wait unseen, it gets EXPIRE),
 * both reconnect by themselves, and ioredis subscribes again after a reconnect.
 */
export class RedisLink {
  readonly commands: ClusterRedis;
  readonly subscriber: Redis;
  private current: RedisState = 'down';

  constructor(
    config: RedisConfig,
    private readonly log: Logger,
    private readonly onState: (state: RedisState) => void,
  ) {
    const base: RedisOptions = {
      ...(config.password === undefined ? {} : { password: config.password }),
      lazyConnect: true,
      // Back off to 1 s between tries: Redis returning is noticed within a second.
      retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
      connectTimeout: 3_000,
      maxRetriesPerRequest: 0,
    };
    // A Redis that hangs (not gone, just silent) fails a command in 2 s: a registration then goes
    // ahead unchecked and a message gets EXPIRE, rather than either waiting for ever.
    // Not auto-pipelined: measured with bench:signal --nodes 3, it cost more CPU and memory per
    // message at 1,000 msg/s than it saved (few commands share an event-loop turn there).
    this.commands = new Redis(config.url, { ...base, enableOfflineQueue: false, commandTimeout: 2_000 }) as ClusterRedis;
    this.commands.defineCommand('ferryClaim', { numberOfKeys: 2, lua: CLAIM });
    this.commands.defineCommand('ferryRelease', { numberOfKeys: 1, lua: RELEASE });
    this.commands.defineCommand('ferryRenew', { lua: RENEW });
    this.commands.defineCommand('ferryRoute', { numberOfKeys: 2, lua: ROUTE });
    this.commands.defineCommand('ferryExpireHeld', { numberOfKeys: 1, lua: EXPIRE_HELD });
    // The subscriber queues its SUBSCRIBE until connected; it sends nothing else.
    this.subscriber = new Redis(config.url, { ...base, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const client of [this.commands, this.subscriber]) {
      // Without an "error" listener ioredis prints every failed reconnect; the state says it once.
      client.on('error', (error: Error) => this.log.debug({ err: { message: error.message } }, 'redis connection error'));
      client.on('ready', () => this.update());
      client.on('close', () => this.update());
    }
  }

  get state(): RedisState {
    return this.current;
  }

  /** Connects both; resolves when tried (a Redis that is away now is retried in the background). */
  async connect(): Promise<void> {
    await Promise.allSettled([this.commands.connect(), this.subscriber.connect()]);
  }

  async close(): Promise<void> {
    this.commands.disconnect();
    this.subscriber.disconnect();
    this.current = 'down';
  }

  private update(): void {
    const state: RedisState = this.commands.status === 'ready' && this.subscriber.status === 'ready' ? 'up' : 'down';
    if (state === this.current) return;
    this.current = state;
    this.onState(state);
  }
}

/** The URL with its password (if any) blanked, for logs and /status. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // ioredis also takes ?password= in the query.
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return 'redis://?';
  }
}
