import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnCredential, turnIceServer } from './turn-credentials.js';

/** HMAC-SHA1 computed by the openssl CLI: an implementation that shares no code with ours. */
function opensslHmacSha1Base64(secret: string, message: string): string {
  const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message });
  return digest.toString('base64');
}

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  const secret = 'coturn-static-auth-secret';
  const now = Date.UTC(2030, 0, 1, 12, 0, 0);

  it('names the expiry (unix seconds) and the peer in the username, as coturn reads it', () => {
    const { username, expiresAt } = turnCredential(secret, 3600, now, 'ferry-abcdefghijklmnop');
    expect(expiresAt).toBe(now / 1000 + 3600);
    // coturn: "timestamp:userid", with ":" its default rest-api-separator; the timestamp first.
    expect(username).toBe(`${now / 1000 + 3600}:ferry-abcdefghijklmnop`);
    expect(turnCredential(secret, 60, now).username).toBe(String(now / 1000 + 60));
  });

  it('sets the password to base64(HMAC-SHA1(secret, username)), as computed independently', () => {
    const { username, credential } = turnCredential(secret, 3600, now, 'ferry-abcdefghijklmnop');
    expect(credential).toBe(opensslHmacSha1Base64(secret, username));
    expect(credential).toBe(createHmac('sha1', secret).update(username).digest('base64'));
    // A different secret or a different user gives a different password.
    expect(turnCredential('other-secret', 3600, now, 'ferry-abcdefghijklmnop').credential).not.toBe(credential);
    expect(turnCredential(secret, 3600, now, 'ferry-bbbbbbbbbbbbbbbb').credential).not.toBe(credential);
  });

  it('gives all TURN URLs one credential in one ICE server entry', () => {
    const config = { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], secret, ttlSeconds: 600 };
    const { server, expiresAt } = turnIceServer(config, now, 'ferry-abcdefghijklmnop');
    expect(server).toEqual({
      urls: config.urls,
      username: `${expiresAt}:ferry-abcdefghijklmnop`,
      credential: opensslHmacSha1Base64(secret, `${expiresAt}:ferry-abcdefghijklmnop`),
    });
    expect(turnIceServer({ ...config, urls: ['turn:one.example.org'] }, now).server.urls).toBe('turn:one.example.org');
  });
});
