import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

const trusted = new Set(['10.0.0.1', '10.0.0.2']);

describe('client address behind a reverse proxy', () => {
  it('ignores X-Forwarded-For unless the direct peer is a trusted proxy', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.1', new Set())).toBe('203.0.113.5');
    expect(clientAddress('203.0.113.5', '198.51.100.1', trusted)).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.1', undefined, trusted)).toBe('10.0.0.1');
  });

  it('takes the rightmost address that is not a trusted proxy', () => {
    expect(clientAddress('10.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    // The client wrote the left entries itself: "1.2.3.4" proves nothing.
    expect(clientAddress('10.0.0.1', '1.2.3.4, 198.51.100.1', trusted)).toBe('198.51.100.1');
    // Through two proxies.
    expect(clientAddress('10.0.0.1', '198.51.100.1, 10.0.0.2', trusted)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.1', ['1.2.3.4', '198.51.100.1'], trusted)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.1', '2001:db8::1', trusted)).toBe('2001:db8::1');
  });

  it('stops at garbage and normalises IPv4-mapped addresses', () => {
    expect(clientAddress('10.0.0.1', 'not-an-ip, 198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.1', '198.51.100.1, <script>', trusted)).toBe('10.0.0.1');
    expect(clientAddress('::ffff:10.0.0.1', '::ffff:198.51.100.1', trusted)).toBe('198.51.100.1');
  });
});
