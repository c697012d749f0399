import { z } from 'zod';
import type { IceServerConfig } from '../preload/api.js';

/** What the window gets: servers to use now, and when to ask again (null: they never expire). */
export interface IceRefresh {
  iceServers: IceServerConfig[];
  refreshAt: number | null;
}

const IceResponse = z.object({
  iceServers: z
    .array(
      z.object({
        urls: z.union([z.string().max(512), z.array(z.string().max(512)).min(1).max(16)]),
        username: z.string().max(512).optional(),
        credential: z.string().max(512).optional(),
      }),
    )
    .max(16),
  /** Credential lifetime in seconds, when the server hands out TURN credentials. */
  ttl: z.number().positive().optional(),
  /** Unix seconds after which the TURN credentials are refused. */
  expiresAt: z.number().positive().optional(),
});

export interface IceSourceOptions {
  /** The signaling server's base URL (its /ice is asked). */
  serverUrl: string;
  /** The access token, sent as a bearer token (the server may demand it for /ice too). */
  token?: string | undefined;
  /** This device's peer id: TURN usernames name it. */
  peerId: string;
  fetchJson: (url: string, timeoutMs: number, headers: Record<string, string>) => Promise<unknown>;
  now: () => number;
  warn: (message: string) => void;
}

/** After a failed fetch, ask again this soon (the servers handed out stay in use meanwhile). */
const RETRY_MS = 30_000;

/**
 * The signaling server's STUN/TURN servers with short-lived TURN credentials (`GET /ice`,
 * coturn's REST format): fetched on demand, kept until they near expiry — asked again a fifth of
 * their lifetime (at least a minute) before it — so a connection never starts with a credential
 * coturn would refuse. One fetch at a time; a failed fetch keeps what is still valid.
 */
export class IceSource {
  private cached: { iceServers: IceServerConfig[]; refreshAt: number | null; expiresAt: number | null } | undefined;
  private inFlight: Promise<IceRefresh> | undefined;

  constructor(private readonly options: IceSourceOptions) {}

  current(): Promise<IceRefresh> {
    const cached = this.cached;
    if (cached && (cached.refreshAt === null || this.options.now() < cached.refreshAt)) {
      return Promise.resolve({ iceServers: cached.iceServers, refreshAt: cached.refreshAt });
    }
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetch(): Promise<IceRefresh> {
    // The server answers /ice at its root, whatever path its PeerJS API is mounted on.
    const url = new URL('/ice', this.options.serverUrl);
    url.searchParams.set('peer', this.options.peerId);
    const headers: Record<string, string> = this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
    const now = this.options.now();
    try {
      const answer = IceResponse.parse(await this.options.fetchJson(url.href, 5000, headers));
      const iceServers = answer.iceServers.map(({ urls, username, credential }) => ({
        urls,
        ...(username === undefined ? {} : { username }),
        ...(credential === undefined ? {} : { credential }),
      }));
      const expiresAt = answer.expiresAt === undefined ? null : answer.expiresAt * 1000;
      const lifetime = expiresAt === null ? 0 : expiresAt - now;
      const refreshAt = expiresAt === null ? null : expiresAt - Math.max(60_000, (answer.ttl ?? lifetime / 1000) * 200);
      this.cached = { iceServers, expiresAt, refreshAt: refreshAt === null ? null : Math.max(now + 5000, refreshAt) };
      return { iceServers, refreshAt: this.cached.refreshAt };
    } catch (error) {
      this.options.warn(`Could not get ICE servers from ${url.origin}/ice: ${(error as Error).message}`);
      const stillValid = this.cached && (this.cached.expiresAt === null || now < this.cached.expiresAt) ? this.cached.iceServers : [];
      const refreshAt = now + RETRY_MS;
      this.cached = { iceServers: stillValid, expiresAt: this.cached?.expiresAt ?? null, refreshAt };
      return { iceServers: stillValid, refreshAt };
    }
  }
}
