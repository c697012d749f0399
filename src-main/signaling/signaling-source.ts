import { z } from 'zod';
import type { IceServerConfig, SignalingConfig } from '../preload/api.js';

/** Where to signal; the ICE policy comes from the settings (services.ts). */
export type ServerConfig = Omit<SignalingConfig, 'relayOnly'>;

export interface SignalingSource {
  config: ServerConfig;
  /** Stops the embedded server; a no-op for an external one. */
  close(): Promise<void>;
}

export interface SignalingEnvironment {
  /** FERRY_SIGNALING_URL: an external server; absent means "start the bundled one". */
  configuredUrl?: string | undefined;
  /** FERRY_SIGNALING_KEY: that server's PeerJS key. */
  configuredKey?: string | undefined;
  /** The access token the operator gave (FERRY_SIGNALING_TOKEN or the settings). */
  configuredToken?: string | undefined;
  startEmbedded: () => Promise<{ url: string; close(): Promise<void> }>;
  fetchJson: (url: string, timeoutMs: number, headers?: Record<string, string>) => Promise<unknown>;
  warn: (message: string) => void;
}

const IceResponse = z.object({
  iceServers: z.array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  ),
});

export class SignalingConfigError extends Error {
  override readonly name = 'SignalingConfigError';
}

/**
 * Decides which signaling server the app uses: the configured one (with the ICE servers it
 * publishes at /ice), or, when none is configured, the bundled server started in-process.
 */
export async function resolveSignalingSource(env: SignalingEnvironment): Promise<SignalingSource> {
  if (env.configuredUrl === undefined || env.configuredUrl.trim() === '') {
    const server = await env.startEmbedded();
    return {
      config: { url: server.url, key: 'peerjs', iceServers: [], embedded: true },
      close: () => server.close(),
    };
  }
  let url: URL;
  try {
    url = new URL(env.configuredUrl);
  } catch (cause) {
    throw new SignalingConfigError(`The signaling server "${env.configuredUrl}" is not a URL.`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SignalingConfigError(`The signaling server URL must start with http:// or https://, not ${url.protocol}//.`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  let iceServers: IceServerConfig[] = [];
  const token = env.configuredToken?.trim() || undefined;
  try {
    iceServers = IceResponse.parse(await env.fetchJson(new URL('/ice', url).href, 5000, token ? { authorization: `Bearer ${token}` } : {})).iceServers.map(
      ({ urls, username, credential }) => ({
        urls,
        ...(username === undefined ? {} : { username }),
        ...(credential === undefined ? {} : { credential }),
      }),
    );
  } catch (error) {
    env.warn(`No ICE servers from ${url.origin}/ice (${(error as Error).message}); using none.`);
  }
  return {
    config: { url: url.href, key: env.configuredKey || 'peerjs', iceServers, embedded: false, ...(token ? { token } : {}) },
    close: async () => {},
  };
}

export async function fetchJsonWithTimeout(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
