/** What one `npm run bench:signal` run of one server reports, and the arithmetic its files share. */
export interface RunResult {
  server: 'bare peer' | 'ferry';
  peersRequested: number;
  peersRegistered: number;
  registerSeconds: number;
  rssIdleMB: number;
  rssRegisteredMB: number;
  rssPeakMB: number;
  rate: number;
  messagesSent: number;
  messagesDelivered: number;
  cpuCoresWhileRelaying: number;
  cpuMsPerMessage: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** With an idle window (--nodes): the server's CPU with the peers registered and nothing relayed (heartbeats, pings). */
  cpuCoresIdle?: number;
  /** With an idle window: CPU per message less the idle rate over the relay window (the relaying alone). */
  cpuMsPerMessageNet?: number;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** With BENCH_TRACE_GC=1 the server runs with --trace-gc: its pauses over 20 ms, to tell GC from noise. */
export function longGcPauses(log: string): string {
  return log
    .split('\n')
    .filter((line) => /Mark-Compact|Scavenge/.test(line) && Number(/(\d+\.\d+) \/ [\d.]+ ms/.exec(line)?.[1] ?? 0) > 20)
    .join('\n');
}
