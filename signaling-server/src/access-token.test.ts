import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAccessToken, mintAccessToken } from './access-token.js';
import { isPairingSlotId } from './pairing-slots.js';

const secret = 'a-token-secret-of-enough-length';
const peer = 'ferry-abcdefghijklmnop';
const now = Date.UTC(2030, 0, 1);
const later = now / 1000 + 3600;

describe('per-device access tokens', () => {
  it('have the documented format: <expiry>.<base64url(HMAC-SHA256(secret, "<peerId>.<expiry>"))>', () => {
    const expected = `${later}.${createHmac('sha256', secret).update(`${peer}.${later}`).digest('base64url')}`;
    expect(mintAccessToken(secret, peer, later)).toBe(expected);
    expect(expected).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/); // URL-safe as it is: PeerJS puts it in the query
  });

  it('are accepted for their peer id until they expire, and refused otherwise', () => {
    const policy = { kind: 'hmac', secret } as const;
    const token = mintAccessToken(secret, peer, later);
    expect(checkAccessToken(policy, token, peer, now)).toBeUndefined();
    expect(checkAccessToken(policy, token, 'ferry-bbbbbbbbbbbbbbbb', now)).toBe('token-invalid');
    expect(checkAccessToken(policy, token, peer, later * 1000)).toBe('token-expired');
    expect(checkAccessToken({ kind: 'hmac', secret: 'another-secret-entirely' }, token, peer, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, `${later + 1}${token.slice(String(later).length)}`, peer, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, `${token}x`, peer, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, 'garbage!', peer, now)).toBe('token-invalid');
    // What a PeerJS client configured without our token sends: its own random session token.
    expect(checkAccessToken(policy, Math.random().toString(36).slice(2), peer, now)).toBe('token-missing');
    expect(checkAccessToken(policy, undefined, peer, now)).toBe('token-missing');
    expect(checkAccessToken(policy, '', peer, now)).toBe('token-missing');
    // An expired token with a forged signature is "invalid", not "expired": no oracle on expiries.
    const forged = `${now / 1000 - 10}.${createHash('sha256').update('x').digest('base64url')}`;
    expect(checkAccessToken(policy, forged, peer, now)).toBe('token-invalid');
  });
});

describe('a shared access token', () => {
  it('must match exactly', () => {
    const policy = { kind: 'shared', token: 'correct-horse-battery-staple' } as const;
    expect(checkAccessToken(policy, 'correct-horse-battery-staple', peer, now)).toBeUndefined();
    expect(checkAccessToken(policy, 'correct-horse-battery-stapl', peer, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, 'correct-horse-battery-staple ', peer, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, undefined, peer, now)).toBe('token-missing');
  });
});

describe('per-device tokens and pairing slots', () => {
  const secret = 'a-token-secret-of-enough-length';
  const policy = { kind: 'hmac' as const, secret };
  const now = 1_700_000_000_000;
  const device = 'ferry-bbbbbbbbbbbbbbbb';
  const expires = Math.floor(now / 1000) + 3600;
  const token = mintAccessToken(secret, device, expires);

  it('knows the slot ids the app derives (values from src-core pairingPeerId)', () => {
    for (const id of ['ferry-npnrh7pnf5oo2p53', 'ferry-lequ4xb7eyksxgfk', 'ferry-ay7sjg7i2tzf2zul']) expect(isPairingSlotId(id)).toBe(true);
    expect(isPairingSlotId(device)).toBe(false);
  });

  it('a device registers a pairing slot with its own token, named: nobody else’s token and no bare token', () => {
    const slot = 'ferry-lequ4xb7eyksxgfk';
    expect(checkAccessToken(policy, `${device}.${token}`, slot, now)).toBeUndefined();
    expect(checkAccessToken(policy, token, slot, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, `ferry-cccccccccccccccc.${token}`, slot, now)).toBe('token-invalid');
    expect(checkAccessToken(policy, `${device}.${mintAccessToken(secret, device, Math.floor(now / 1000) - 1)}`, slot, now)).toBe('token-expired');
    // The named form is for slots only: a device's own id takes its bare token.
    expect(checkAccessToken(policy, `${device}.${token}`, device, now)).toBe('token-invalid');
  });
});
