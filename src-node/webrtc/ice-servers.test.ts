import { describe, expect, it } from 'vitest';
import { iceServersForPolyfill } from './ice-servers.js';

/**
 * How libdatachannel reads `turn:user:pass@host:port` (IceServer(const string &url) in
 * configuration.cpp: RFC 3986's regex, then url_decode of the user and the password).
 */
function libdatachannelReads(url: string): { username: string; password: string; host: string } {
  const match = /^(([^:.@/?#]+):)?(\/{0,2}((([^:@]*)(:([^@]*))?)@)?(([^:/?#]*)(:([^/?#]*))?))?([^?#]*)(\?([^#]*))?(#(.*))?/.exec(url);
  if (!match) throw new Error(`unparsable ${url}`);
  return { username: decodeURIComponent(match[6] ?? ''), password: decodeURIComponent(match[8] ?? ''), host: match[10] ?? '' };
}

/** What node-datachannel's polyfill makes of a server with credentials (RTCPeerConnection.ts). */
const polyfillUrl = (url: string, username: string, credential: string) => {
  const [protocol, rest] = url.split(/:(.*)/);
  return `${protocol}:${username}:${credential}@${rest}`;
};

describe('ICE servers for node-datachannel’s polyfill', () => {
  const rest = { urls: 'turn:10.77.1.11:3478', username: '1796304765:ferry-aliceaaaaaaaaaaa', credential: 'a+b/c9Xz=' };

  it('reach libdatachannel with a TURN REST username (a colon) and a base64 credential intact', () => {
    // Unencoded, libdatachannel would authenticate as the expiry alone.
    expect(libdatachannelReads(polyfillUrl(rest.urls, rest.username, rest.credential)).username).toBe('1796304765');
    const [server] = iceServersForPolyfill([rest]);
    const url = polyfillUrl(server?.urls[0] as string, server?.username ?? '', server?.credential ?? '');
    expect(libdatachannelReads(url)).toEqual({ username: rest.username, password: rest.credential, host: '10.77.1.11' });
  });

  it('copies: string urls become arrays in the copy only; servers without credentials pass unchanged', () => {
    const servers = [rest, { urls: ['stun:10.77.1.11:3478'] }];
    const copied = iceServersForPolyfill(servers);
    expect(copied[1]).toEqual({ urls: ['stun:10.77.1.11:3478'] });
    expect(copied[0]?.urls).toEqual(['turn:10.77.1.11:3478']);
    expect(servers[0]).toBe(rest);
    expect(rest.urls).toBe('turn:10.77.1.11:3478');
    expect(iceServersForPolyfill(undefined)).toEqual([]);
  });
});
