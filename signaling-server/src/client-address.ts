import { isIP } from 'node:net';

/**
 * The address a request really came from. Behind a reverse proxy every connection comes from the
 * proxy, so per-address limits would lump all clients together; X-Forwarded-For fixes that, but
 * anyone can send that header, so it is believed only when the direct peer is a proxy the
 * operator named (`--trust-proxy`). The rightmost address not belonging to a trusted proxy is
 * the client: entries to its left were written by the client itself and prove nothing.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  const direct = normaliseAddress(remoteAddress ?? 'unknown');
  if (trustedProxies.size === 0 || !trustedProxies.has(direct) || forwardedFor === undefined) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress((hops[i] as string).trim());
    if (isIP(hop) === 0) break; // garbage: stop at the last address we could trust
    client = hop;
    if (!trustedProxies.has(hop)) break;
  }
  return client;
}

/** "::ffff:10.0.0.1" (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.toLowerCase();
}
