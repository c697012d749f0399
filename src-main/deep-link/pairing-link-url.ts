import { FerryError, formatPairingCode, parsePairingCode } from '../../src-core/index.js';

/*
 * `ferry://pair/<code>` links (issue 6). Anyone can send such a link, and the OS hands it to us
 * from a command line (Windows, Linux: first or second instance) or an `open-url` event (macOS),
 * so everything here is hostile input: only the one shape a pairing link has is accepted, and
 * everything else is ignored with a reason in words (for the log, never shown as the link's own
 * text). Accepting a link never pairs: it only makes the window ask.
 */

/** The URL scheme Ferry registers with the OS (and electron-builder.yml's `protocols`). */
export const PAIRING_LINK_SCHEME = 'ferry';
export const PAIRING_LINK_PREFIX = `${PAIRING_LINK_SCHEME}://pair/`;

/** A code is at most 3 digits and two 8-letter words; anything near this long is not a link of ours. */
export const MAX_PAIRING_LINK_LENGTH = 128;

export type PairingLinkResult = { ok: true; code: string } | { ok: false; reason: string };

const ignore = (reason: string): PairingLinkResult => ({ ok: false, reason });

/** A link (from `open-url` or a command line) → the normalised code (`427-orbit-velvet`), or why not. */
export function parsePairingLink(text: string): PairingLinkResult {
  if (text.length > MAX_PAIRING_LINK_LENGTH) {
    return ignore(`The link is longer than ${MAX_PAIRING_LINK_LENGTH} characters; pairing links are short.`);
  }
  // Printable ASCII only: no blanks, controls or look-alike letters can hide in what we accept.
  if (!/^[\x21-\x7e]*$/.test(text)) return ignore('The link contains blanks, control or non-ASCII characters; pairing links have none.');
  // Scheme and host are case-insensitive (RFC 3986); the code is normalised below.
  const lower = text.toLowerCase();
  if (!lower.startsWith('ferry:')) return ignore('It is not a ferry: link.');
  if (!lower.startsWith(PAIRING_LINK_PREFIX)) {
    return ignore('Ferry opens only pairing links, like ferry://pair/427-orbit-velvet.');
  }
  if (/[?#]/.test(text)) return ignore('Pairing links carry no query or fragment ("?" or "#").');
  // Refused rather than decoded: an encoded dash, slash or dot has no business in a code.
  if (text.includes('%')) return ignore('Pairing links carry no percent-encoded characters.');
  let code = text.slice(PAIRING_LINK_PREFIX.length);
  // Some systems add a slash to a URL they pass on; one is harmless.
  if (code.endsWith('/')) code = code.slice(0, -1);
  if (code === '') return ignore('The link has no pairing code after ferry://pair/.');
  if (code.includes('/')) return ignore('A pairing link has one path segment after ferry://pair/, the code.');
  if (!/^[0-9a-z-]+$/i.test(code)) return ignore('A pairing code has only digits, letters and dashes.');
  let formatted: string;
  try {
    formatted = formatPairingCode(parsePairingCode(code));
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    return ignore(`The link's code is not a pairing code: ${error.message}`);
  }
  // Typing may be sloppy, a link may not: only case may differ from the code's own form.
  if (code.toLowerCase() !== formatted) return ignore('The code in the link is not written like 427-orbit-velvet.');
  return { ok: true, code: formatted };
}

/**
 * The pairing link among a process's arguments (Windows and Linux start Ferry, or a second
 * instance of it, with the link as an argument; Chromium may add flags around it). Undefined when
 * no argument is a ferry: link, which is an ordinary start, not something to report.
 */
export function findPairingLinkInArgv(argv: readonly string[]): PairingLinkResult | undefined {
  const links = argv.filter((arg) => /^ferry:/i.test(arg));
  const [link] = links;
  if (link === undefined) return undefined;
  // Which one would be a guess: a real link arrives alone.
  if (links.length > 1) return ignore(`The command line holds ${links.length} ferry: links; Ferry opens one at a time.`);
  return parsePairingLink(link);
}
