import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const REALM = 'ferry-signal status';

/**
 * Guards /metrics and /status with an operator token. Two ways to present it:
 *
 * - `Authorization: Bearer <token>`: what Prometheus (`authorization: { credentials: ... }`),
 *   curl and scripts send.
 * - HTTP Basic with the token as the password (any user name): the only credential a browser
 *   attaches by itself both to a page load and to an EventSource request, which cannot carry
 *   custom headers. The 401 challenge makes the browser ask once; a token in the URL instead
 *   would end up in proxy logs and browser history.
 *
 * Without a token the routes are open: what they serve is counts and keyed hashes, nothing
 * secret, and /health already tells anyone the peer count. An internet-facing operator who does
 * not want load and refusal figures public sets a token.
 */
export function requireToken(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  if (token.length === 0) throw new RangeError('the status token must not be empty');
  const expected = digest(token);
  return (req, res, next) => {
    const presented = presentedToken(req.headers.authorization);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', [`Basic realm="${REALM}", charset="UTF-8"`, `Bearer realm="${REALM}"`]);
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).type('text/plain').send('A status token is required.\n');
  };
}

function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return value;
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon < 0 ? undefined : decoded.slice(colon + 1);
    }
    default:
      return undefined;
  }
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
