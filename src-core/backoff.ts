/**
 * Reconnect delays: exponential from `initialMs`, capped at `maxMs`, with jitter so that many
 * clients of a restarted server do not return in lockstep. `random` is in [0, 1).
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised, 0..1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };

export function backoffDelay(attempt: number, random: number, policy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(attempt, 30));
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const spread = base * policy.jitter;
  return Math.round(base - spread + spread * random);
}
