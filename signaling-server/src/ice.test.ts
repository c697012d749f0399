import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { mintAccessToken } from './access-token.js';
import { type SignalingServerOptions, startSignalingServer } from './server.js';
import { cleanup, peerId, track } from './test-support/raw-peer.js';

afterEach(cleanup);

const TURN_SECRET = 'the-coturn-static-auth-secret';
const turn = { urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'], secret: TURN_SECRET, ttlSeconds: 1800 };
const stun = [{ urls: 'stun:stun.example.org:3478' }];

async function start(options: SignalingServerOptions) {
  return track(await startSignalingServer({ host: '127.0.0.1', port: 0, ...options }));
}

async function ice(port: number, query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/ice${query}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function hmacSha1Base64(secret: string, message: string): string {
  return execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message }).toString('base64');
}

interface IceBody {
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  ttl: number;
  expiresAt: number;
}

describe('GET /ice with TURN', () => {
  it('hands out STUN plus TURN with a credential bound to the peer, and says when it expires', async () => {
    const server = await start({ iceServers: stun, turn });
    const before = Math.floor(Date.now() / 1000);
    const { status, headers, body } = await ice(server.port, `?peer=${peerId(1)}`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const { iceServers, ttl, expiresAt } = body as unknown as IceBody;
    expect(ttl).toBe(1800);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 1800);
    expect(expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1800);
    expect(iceServers).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      { urls: turn.urls, username: `${expiresAt}:${peerId(1)}`, credential: hmacSha1Base64(TURN_SECRET, `${expiresAt}:${peerId(1)}`) },
    ]);
    expect(server.stats().iceServed).toBe(1);
  });

  it('without ?peer, the username is the expiry alone; a malformed peer is refused (400)', async () => {
    const server = await start({ turn });
    const { body } = await ice(server.port);
    const [entry] = (body as unknown as IceBody).iceServers;
    expect(entry?.username).toBe(String((body as unknown as IceBody).expiresAt));
    const bad = await ice(server.port, '?peer=../../etc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid-id' });
  });
});

describe('GET /ice with access tokens', () => {
  it('with a shared token: 401 without it, 200 with it as Bearer or ?token=', async () => {
    const token = 'correct-horse-battery-staple';
    const server = await start({ turn, access: { kind: 'shared', token } });
    const missing = await ice(server.port);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.body).toMatchObject({ error: 'token-missing' });
    expect(missing.body).not.toHaveProperty('iceServers');
    expect((await ice(server.port, '', { authorization: 'Bearer wrong-token' })).body).toMatchObject({ error: 'token-invalid' });
    expect((await ice(server.port, '', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await ice(server.port, `?token=${token}`)).status).toBe(200);
    expect(server.stats().refused).toMatchObject({ 'token-missing': 1, 'token-invalid': 1 });
  });

  it('with per-device tokens: needs ?peer and that peer\'s token, and binds the TURN username to it', async () => {
    const secret = 'a-token-secret-of-enough-length';
    const server = await start({ turn, access: { kind: 'hmac', secret } });
    const token = mintAccessToken(secret, peerId(1), Math.floor(Date.now() / 1000) + 600);
    expect((await ice(server.port, '', { authorization: `Bearer ${token}` })).status).toBe(400);
    expect((await ice(server.port, `?peer=${peerId(2)}`, { authorization: `Bearer ${token}` })).status).toBe(401);
    const ok = await ice(server.port, `?peer=${peerId(1)}`, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect((ok.body as unknown as IceBody).iceServers[0]?.username).toMatch(new RegExp(`^\\d+:${peerId(1)}$`));
  });
});
