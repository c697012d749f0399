/**
 * Striping (SPEC.md, "Striping"): besides its own connection, a link opens this many more
 * RTCPeerConnections to the same device and spreads transfers over all of them. Each is its own
 * SCTP association with its own congestion window: on a 1 %-loss link 4 connections moved 4×
 * the bytes of one, and on a clean link no less (bench/RESULTS.md). A peer accepts at most this
 * many stripes per link.
 */
export const STRIPE_COUNT = 3;
