/**
 * Which LAN signaling server every Ferry app on the network should use (issue: zero
 * configuration on a LAN). Pure: the same inputs give every app the same answer, so apps that
 * start together converge on one server without talking to each other first.
 */

/** The LAN protocol this build speaks: an advertisement with another version is ignored. */
export const LAN_PROTOCOL_VERSION = 1;

export interface ServerAdvert {
  /** Random per server run; the tie-break. */
  serverId: string;
  host: string;
  port: number;
  version: number;
}

/** Server ids: what an advertisement may carry (anything else is a rogue or a typo). */
export const SERVER_ID_PATTERN = /^[a-z2-7]{16}$/;

/** The lowest server id among compatible servers; undefined when there is none. */
export function electServer(candidates: Iterable<ServerAdvert>): ServerAdvert | undefined {
  let best: ServerAdvert | undefined;
  for (const candidate of candidates) {
    if (candidate.version !== LAN_PROTOCOL_VERSION || !SERVER_ID_PATTERN.test(candidate.serverId)) continue;
    if (best === undefined || candidate.serverId < best.serverId) best = candidate;
  }
  return best;
}
