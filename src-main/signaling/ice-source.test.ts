import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IceSource } from './ice-source.js';
import { fetchJsonWithTimeout } from './signaling-source.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A real HTTP /ice that hands out a credential expiring `ttl` seconds after the clock says. */
async function iceServer(clock: { now: number }, behaviour: { ttl: number; fail?: () => boolean }) {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (behaviour.fail?.()) {
      res.writeHead(503).end();
      return;
    }
    const expiresAt = Math.floor(clock.now / 1000) + behaviour.ttl;
    const peer = new URL(req.url ?? '/', 'http://x').searchParams.get('peer');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ iceServers: [{ urls: 'stun:stun.lab:3478' }, { urls: 'turn:turn.lab:3478', username: `${expiresAt}:${peer}`, credential: `cred-${requests.length}` }], ttl: behaviour.ttl, expiresAt }));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/signal/`, requests };
}

describe('TURN credentials from the signaling server', () => {
  it('asks /ice for this device with the token, keeps the answer until it nears expiry, then asks again', async () => {
    const clock = { now: 1_700_000_000_000 };
    const { url, requests } = await iceServer(clock, { ttl: 3600 });
    const warnings: string[] = [];
    const ice = new IceSource({ serverUrl: url, token: 's3cret', peerId: 'ferry-aaaaaaaaaaaaaaaa', fetchJson: fetchJsonWithTimeout, now: () => clock.now, warn: (w) => warnings.push(w) });
    const first = await ice.current();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('/ice?peer=ferry-aaaaaaaaaaaaaaaa');
    expect(requests[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(first.iceServers[1]).toMatchObject({ username: `${Math.floor(clock.now / 1000) + 3600}:ferry-aaaaaaaaaaaaaaaa`, credential: 'cred-1' });
    // A fifth of the hour before expiry.
    expect(first.refreshAt).toBe(clock.now + 3600_000 - 720_000);
    clock.now += 2000_000;
    expect((await ice.current()).iceServers[1]?.credential).toBe('cred-1');
    expect(requests).toHaveLength(1);
    clock.now = (first.refreshAt ?? 0) + 1;
    const [a, b] = await Promise.all([ice.current(), ice.current()]);
    expect(requests).toHaveLength(2); // one fetch for both callers
    expect(a.iceServers[1]?.credential).toBe('cred-2');
    expect(b).toEqual(a);
    expect(warnings).toEqual([]);
  });

  it('a failed fetch keeps credentials that are still valid, drops expired ones, and says why', async () => {
    const clock = { now: 1_700_000_000_000 };
    let failing = false;
    const { url } = await iceServer(clock, { ttl: 600, fail: () => failing });
    const warnings: string[] = [];
    const ice = new IceSource({ serverUrl: url, peerId: 'ferry-aaaaaaaaaaaaaaaa', fetchJson: fetchJsonWithTimeout, now: () => clock.now, warn: (w) => warnings.push(w) });
    const first = await ice.current();
    failing = true;
    clock.now = (first.refreshAt ?? 0) + 1;
    const kept = await ice.current();
    expect(kept.iceServers).toEqual(first.iceServers);
    expect(kept.refreshAt).toBe(clock.now + 30_000);
    expect(warnings[0]).toMatch(/Could not get ICE servers from http:\/\/127\.0\.0\.1:\d+\/ice: HTTP 503/);
    clock.now += 600_000;
    expect((await ice.current()).iceServers).toEqual([]);
  });

  it('refuses an answer that is not an ICE list (a hostile or broken server)', async () => {
    const server = createServer((_req, res) => res.end(JSON.stringify({ iceServers: [{ urls: 42 }] })));
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const warnings: string[] = [];
    const ice = new IceSource({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, peerId: 'ferry-aaaaaaaaaaaaaaaa', fetchJson: fetchJsonWithTimeout, now: () => Date.now(), warn: (w) => warnings.push(w) });
    expect((await ice.current()).iceServers).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
