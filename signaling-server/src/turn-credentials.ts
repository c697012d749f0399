import { createHmac } from 'node:crypto';
import type { IceServer } from './ice.js';

export interface TurnConfig {
  /** turn: / turns: URLs that share coturn's static-auth-secret. */
  urls: readonly string[];
  /** coturn's `static-auth-secret` (with `use-auth-secret`). */
  secret: string;
  /** Credential lifetime in seconds. */
  ttlSeconds: number;
}

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix seconds after which coturn refuses the credential. */
  expiresAt: number;
}

const TURN_URL = /^turns?:[^\s,]+$/;

export function isTurnUrl(url: string): boolean {
  return TURN_URL.test(url);
}

/**
 * A time-limited TURN credential in coturn's "TURN REST API" format (coturn's
 * `use-auth-secret`): username "<expiry unix seconds>[:<user>]", password
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC and checks the expiry itself,
 * so nothing has to be shared with it but the secret. Binding the username to a Ferry peer id
 * makes coturn's logs say which device relayed, and a leaked credential expires on its own.
 */
export function turnCredential(secret: string, ttlSeconds: number, nowMs: number, peerId?: string): TurnCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = peerId === undefined ? String(expiresAt) : `${expiresAt}:${peerId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/** The TURN entry of /ice: all URLs share one credential. */
export function turnIceServer(config: TurnConfig, nowMs: number, peerId?: string): { server: IceServer; expiresAt: number } {
  const { username, credential, expiresAt } = turnCredential(config.secret, config.ttlSeconds, nowMs, peerId);
  const urls = config.urls.length === 1 ? (config.urls[0] as string) : [...config.urls];
  return { server: { urls, username, credential }, expiresAt };
}
