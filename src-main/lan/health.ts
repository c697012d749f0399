import type { ServerAdvert } from './election.js';

/**
 * Whether an advertised server is the Ferry LAN server it claims to be: GET /health answers in
 * time with status "ok", the same server id and the LAN protocol version. Anything else (a
 * bogus address, a squatter, a hang) is false, never an exception or a wait past the timeout.
 */
export async function checkLanServer(advert: ServerAdvert, timeoutMs = 1500): Promise<boolean> {
  try {
    const response = await fetch(`http://${advert.host}:${advert.port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: unknown; serverId?: unknown; lanVersion?: unknown };
    return body.status === 'ok' && body.serverId === advert.serverId && body.lanVersion === advert.version;
  } catch {
    return false;
  }
}
