/**
 * What a cluster keeps in Redis, and where. Everything is under one prefix, so a Redis database
 * can be shared with other programs (but not with a second Ferry cluster: give it another db).
 *
 * | key | type | holds | lives |
 * | --- | --- | --- | --- |
 * | `ferry:peer:<id>` | string | `<node>\n<token hash>`: who holds the id | alive timeout, renewed |
 * | `ferry:held:<id>` | list | messages for an id connected nowhere | queue timeout + 5 s |
 * | `ferry:node:<node>` | string | a node's report (peers, start, version) | 3 node heartbeats |
 * | `ferry:nodes` | sorted set | nodes by the time their report runs out | pruned by every node |
 *
 * Channels: `ferry:to:<node>`, one per node, carries messages for its peers and "let go" notices.
 */
export const KEY_PREFIX = 'ferry:';
export const peerKey = (peerId: string): string => `${KEY_PREFIX}peer:${peerId}`;
export const heldKey = (peerId: string): string => `${KEY_PREFIX}held:${peerId}`;
export const nodeKey = (nodeId: string): string => `${KEY_PREFIX}node:${nodeId}`;
export const NODES_KEY = `${KEY_PREFIX}nodes`;
/** Lua builds report keys from this (`ferry:node:` .. node): a holder without one is dead. */
export const NODE_REPORT_PREFIX = `${KEY_PREFIX}node:`;
/** Lua builds the same name (`ferry:to:` .. node), see scripts.ts. */
export const NODE_CHANNEL_PREFIX = `${KEY_PREFIX}to:`;
export const nodeChannel = (nodeId: string): string => `${NODE_CHANNEL_PREFIX}${nodeId}`;

/** A node reports itself this often (peers, liveness); the report lives three periods. */
export const NODE_HEARTBEAT_MS = 2_000;
export const NODE_REPORT_TTL_MS = 3 * NODE_HEARTBEAT_MS;
/** Held messages outlive their deadline this long, so a node that died leaves nothing behind. */
export const HELD_MARGIN_MS = 5_000;

/** What travels on a node's channel: the first character says which. */
export const CHANNEL_KIND = {
  /** `m<dst>\n<message JSON>`: a message for one of the node's peers. */
  message: 'm',
  /** `g<id>`: another node took the id over; close the socket that holds it here. */
  letGo: 'g',
} as const;
