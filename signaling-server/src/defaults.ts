/**
 * Defaults shared by the library (the app's embedded server uses them as they are), the CLI,
 * its --help and docs/self-hosting.md, so the three cannot disagree.
 */
export const DEFAULTS = {
  port: 9000,
  host: '0.0.0.0',
  path: '/',
  key: 'peerjs',
  // An SDP offer with many candidates is a few KiB; 64 KiB leaves room and bounds memory per frame.
  maxMessageBytes: 64 * 1024,
  aliveTimeoutMs: 60_000,
  // ~10,000 registered peers fit in 300 MB (bench/signal.bench.ts).
  maxPeers: 10_000,
  // A household or office behind one NAT: two sockets per running app (its id and a pairing slot).
  ipConnections: 50,
  // Opening one Ferry session is ~4 connections x (offer + answer + candidates) ≈ 50 messages;
  // the burst lets an app dial several paired devices at start without being cut off.
  ipMessagesPerSecond: 50,
  ipMessageBurst: 200,
  queueLimit: 100,
  // PeerJS's own default (expire_timeout): how long messages wait for an offline peer.
  queueTimeoutMs: 5_000,
  turnTtlSeconds: 3_600,
} as const;

/** TURN credentials live at least a minute (clock skew) and at most a day (leaked ones expire). */
export const TURN_TTL_BOUNDS = { minSeconds: 60, maxSeconds: 86_400 } as const;
