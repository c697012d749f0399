import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPairingLinkInArgv, MAX_PAIRING_LINK_LENGTH, parsePairingLink } from './pairing-link-url.js';

const reasonOf = (text: string) => {
  const result = parsePairingLink(text);
  if (result.ok) throw new Error(`${JSON.stringify(text)} was accepted as ${result.code}`);
  return result.reason;
};

describe('pairing links', () => {
  it('accepts ferry://pair/<code> and normalises the code', () => {
    expect(parsePairingLink('ferry://pair/427-orbit-velvet')).toEqual({ ok: true, code: '427-orbit-velvet' });
    expect(parsePairingLink('FERRY://Pair/427-Orbit-VELVET')).toEqual({ ok: true, code: '427-orbit-velvet' });
    // Some systems append a slash to the URL they pass on.
    expect(parsePairingLink('ferry://pair/427-orbit-velvet/')).toEqual({ ok: true, code: '427-orbit-velvet' });
  });

  it.each([
    ['another scheme', 'https://pair/427-orbit-velvet', /not a ferry: link/],
    ['a look-alike scheme', 'ferryx://pair/427-orbit-velvet', /not a ferry: link/],
    ['another host', 'ferry://send/427-orbit-velvet', /only pairing links/],
    ['a host with a port', 'ferry://pair:80/427-orbit-velvet', /only pairing links/],
    ['credentials before the host', 'ferry://evil@pair/427-orbit-velvet', /only pairing links/],
    ['no slashes', 'ferry:pair/427-orbit-velvet', /only pairing links/],
    ['three slashes', 'ferry:///pair/427-orbit-velvet', /only pairing links/],
    ['no code', 'ferry://pair/', /no pairing code/],
    ['no path at all', 'ferry://pair', /only pairing links/],
    ['dot segments', 'ferry://pair/../..', /one path segment/],
    ['dot segments before a code', 'ferry://pair/../../427-orbit-velvet', /one path segment/],
    ['a dot segment alone', 'ferry://pair/..', /digits, letters and dashes/],
    ['an empty segment', 'ferry://pair//427-orbit-velvet', /one path segment/],
    ['an extra segment', 'ferry://pair/427-orbit-velvet/extra', /one path segment/],
    ['a query', 'ferry://pair/427-orbit-velvet?auto=1', /no query or fragment/],
    ['an empty query', 'ferry://pair/427-orbit-velvet?', /no query or fragment/],
    ['a fragment', 'ferry://pair/427-orbit-velvet#now', /no query or fragment/],
    ['percent-encoding', 'ferry://pair/427%2Dorbit-velvet', /percent-encoded/],
    ['an encoded slash', 'ferry://pair/..%2F..', /percent-encoded/],
    ['blanks', 'ferry://pair/427 orbit velvet', /blanks, control or non-ASCII/],
    ['a newline', 'ferry://pair/427-orbit-velvet\n--inspect', /blanks, control or non-ASCII/],
    ['a NUL', 'ferry://pair/427-orbit-velvet\0', /blanks, control or non-ASCII/],
    ['a right-to-left override', 'ferry://pair/427-orbit-\u202etevlev', /blanks, control or non-ASCII/],
    ['a Cyrillic look-alike', 'ferry://pair/427-\u043erbit-velvet', /blanks, control or non-ASCII/],
    ['punctuation in the code', 'ferry://pair/427-orbit_velvet', /digits, letters and dashes/],
    ['a quote breaking out of a command line', 'ferry://pair/427-orbit-velvet"', /digits, letters and dashes/],
    ['a slot that is not three digits', 'ferry://pair/4270-orbit-velvet', /three-digit number/],
    ['a slot below 100', 'ferry://pair/042-orbit-velvet', /three-digit number/],
    ['one word', 'ferry://pair/427-orbit', /a number and 2 words/],
    ['three words', 'ferry://pair/427-orbit-velvet-zoo', /a number and 2 words/],
    ['a word outside the list', 'ferry://pair/427-orbit-velvetx', /"velvetx" is not a word/],
    ['doubled dashes', 'ferry://pair/427--orbit-velvet', /not written like/],
    ['a leading dash', 'ferry://pair/-427-orbit-velvet', /not written like/],
    ['a trailing dash', 'ferry://pair/427-orbit-velvet-', /not written like/],
  ])('ignores %s, with a reason', (_name, link, reason) => {
    expect(reasonOf(link)).toMatch(reason);
  });

  it('ignores overly long input without looking further', () => {
    expect(reasonOf(`ferry://pair/427-orbit-velvet/${'a'.repeat(MAX_PAIRING_LINK_LENGTH)}`)).toMatch(/longer than 128 characters/);
    expect(reasonOf('x'.repeat(10_000_000))).toMatch(/longer than/);
  });

  it('never throws, and accepts only a well-formed code', () => {
    const ferryish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `ferry://pair/${s}`),
      fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.constantFrom('orbit', 'velvet', 'zoo', 'ORBIT', '', '..', 'x'), fc.constantFrom('velvet', 'abandon', '', '/', '?x')).map(
        ([slot, a, b]) => `ferry://pair/${slot}-${a}-${b}`,
      ),
    );
    fc.assert(
      fc.property(ferryish, (text) => {
        const result = parsePairingLink(text);
        if (result.ok) expect(result.code).toMatch(/^[1-9]\d{2}-[a-z]{3,8}-[a-z]{3,8}$/);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('pairing links on a command line', () => {
  it('finds the link among the arguments, wherever Chromium put its flags', () => {
    expect(findPairingLinkInArgv(['C:\\Program Files\\Ferry\\Ferry.exe', '--allow-file-access-from-files', 'ferry://pair/427-orbit-velvet', '--original-process-start-time=1'])).toEqual({
      ok: true,
      code: '427-orbit-velvet',
    });
    // In development: electron, the app's path, then the link.
    expect(findPairingLinkInArgv(['/usr/lib/electron/electron', '/home/me/ferry', 'FERRY://pair/427-orbit-velvet'])).toEqual({ ok: true, code: '427-orbit-velvet' });
  });

  it('says nothing for an ordinary start', () => {
    expect(findPairingLinkInArgv([])).toBeUndefined();
    expect(findPairingLinkInArgv(['/opt/Ferry/ferry', '--no-sandbox', '/home/me/ferry://pair/427-orbit-velvet', '--url=ferry://pair/427-orbit-velvet'])).toBeUndefined();
  });

  it('ignores a bad link, and more than one link, with a reason', () => {
    expect(findPairingLinkInArgv(['ferry', 'ferry://pair/../..'])).toEqual({ ok: false, reason: expect.stringMatching(/one path segment/) });
    expect(findPairingLinkInArgv(['ferry', 'ferry://pair/427-orbit-velvet', 'ferry://pair/512-zoo-abandon'])).toEqual({
      ok: false,
      reason: 'The command line holds 2 ferry: links; Ferry opens one at a time.',
    });
  });
});
