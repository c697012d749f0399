/*
 * npm run bench:signal -- [--peers 10000] [--compare-peers 5000] [--rate 1000] [--seconds 20] [--json FILE]
 *
 * In the lab: the signaling server on one host, simulated PeerJS clients (WebSocket, the real
 * protocol) on two others. Each run registers the peers, then relays OFFER / ANSWER / CANDIDATE
 * messages at `rate` per second between random peers, and reports registered peers, the server's
 * RSS, its CPU while relaying, and the relay latency p50 / p99 measured by the receivers.
 * Runs, one after the other in one go (this machine is noisy: compare within a run): `rounds`
 *   (default 3) of bare `peer` (the package's PeerServer, default options) then Ferry's server at
 *   `compare-peers` (the bare server's default concurrent limit is 5,000), ratios the median of
 *   the rounds; then Ferry's at `peers`.
 * Targets (2 cores): 10,000 peers in ≤ 300 MB, p99 ≤ 20 ms at 1,000 msg/s, Ferry ≤ 10 % over bare.
 * BENCH_TRACE_GC=1 prints the server's GC pauses over 20 ms (to tell a GC stall from a noisy machine).
 *
 * With `--nodes N` (and [--idle-seconds 10]): instead of the above, `rounds` of Ferry alone at
 * `peers` (the single-node baseline, this path) then a cluster of N nodes on Redis with `peers`
 * PER NODE (N x peers in all), same `rate` in total; targets on the rounds' medians (cross-node
 * p99 ≤ 20 ms, CPU per cross-node message ≤ 2x a local one, RSS per peer ≤ 1.1x Ferry alone's);
 * per-address limits lifted and --max-peers raised unless set with --ferry-arg. See
 * bench/signal-cluster.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lab, type LabHost } from '../e2e/lab/lab.js';
import type { TrackedProcess } from '../e2e/lab/processes.js';
import { cpuSecondsOfNamespace, medianOf, rssOfNamespace, samplePeak } from './pss.js';
import { type ClusterRound, clusterFerryArgs, clusterLabHosts, compareWithSingle, printCluster, runCluster, summarize } from './signal-cluster.js';
import { longGcPauses, percentile, round, type RunResult } from './signal-stats.js';

const PORT = 9000;
const CLIENT = fileURLToPath(new URL('./signal-load-client.ts', import.meta.url));
// The baseline: the `peer` package's own PeerServer with its default options, in plain Node
// (no TypeScript loader, like Ferry's compiled server) so the two start from the same footing.
const BARE = `import { PeerServer } from 'peer';
PeerServer({ port: ${PORT}, path: '/' }, () => console.log('{"event":"listening"}'));`;
const FERRY = fileURLToPath(new URL('../signaling-server/bin/ferry-signal.js', import.meta.url));

type ServerKind = RunResult['server'];

function startServer(host: LabHost, kind: ServerKind, extraArgs: readonly string[]): TrackedProcess {
  return kind === 'bare peer'
    ? host.spawn('bare-peer', process.execPath, ['--input-type=module', '-e', BARE])
    : host.spawn('ferry-signal', process.execPath, [...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []), FERRY, '--host', '0.0.0.0', '--port', String(PORT), ...extraArgs]);
}

/** `idleSeconds` > 0 (--nodes only): the server's CPU over that long with the peers registered and nothing relayed. */
async function run(lab: Lab, kind: ServerKind, peers: number, rate: number, seconds: number, extraArgs: readonly string[], idleSeconds = 0): Promise<RunResult> {
  const serverHost = lab.host('server');
  const netns = serverHost.netns;
  if (!netns) throw new Error('the benchmark needs the namespace lab (run as root)');
  const server = startServer(serverHost, kind, extraArgs);
  const clients: TrackedProcess[] = [];
  try {
    await server.waitForLine(/listening/, 20_000);
    const rssIdleMB = await medianOf(() => rssOfNamespace(netns), 5, 200);
    const peak = samplePeak(() => rssOfNamespace(netns), 500);
    const url = `ws://${serverHost.address}:${PORT}/`;
    const half = Math.ceil(peers / 2);
    const slices = [
      { host: 'c1', from: 0, to: half },
      { host: 'c2', from: half, to: peers },
    ];
    for (const slice of slices) {
      clients.push(lab.host(slice.host).spawn(`load-${slice.host}`, process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify({ url, key: 'peerjs', from: slice.from, to: slice.to, total: peers })]));
    }
    const registered = await Promise.all(clients.map(async (c) => JSON.parse(await c.waitForLine(/"event":"registered"/, 300_000)) as { registered: number; seconds: number }));
    const peersRegistered = registered.reduce((n, r) => n + r.registered, 0);
    const registerSeconds = Math.max(...registered.map((r) => r.seconds));
    // Let the registration's garbage settle before reading the steady state.
    await new Promise((r) => setTimeout(r, 3000));
    const rssRegisteredMB = await medianOf(() => rssOfNamespace(netns), 5, 200);
    let cpuCoresIdle: number | undefined;
    if (idleSeconds > 0) {
      const idleFrom = cpuSecondsOfNamespace(netns);
      const idleAt = performance.now();
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      cpuCoresIdle = (cpuSecondsOfNamespace(netns) - idleFrom) / ((performance.now() - idleAt) / 1000);
    }

    const cpuBefore = cpuSecondsOfNamespace(netns);
    const startedAt = performance.now();
    const done = clients.map((c) => c.waitForLine(/"event":"relayed"/, (seconds + 60) * 1000, { fresh: true }));
    for (const c of clients) c.child.stdin?.write(`${JSON.stringify({ cmd: 'relay', rate: rate / clients.length, seconds })}\n`);
    const relayed = await Promise.all(done.map(async (line) => JSON.parse(await line) as { sent: number; received: number; latencies: number[]; slow: Array<[number, number]> }));
    const slow = relayed.flatMap((r) => r.slow).sort((a, b) => a[0] - b[0]);
    if (slow.length > 0) console.log(`${kind}, ${peers} peers: messages slower than 50 ms [ms into the run, latency ms]:`, JSON.stringify(slow.slice(0, 40)));
    const cpuSeconds = cpuSecondsOfNamespace(netns) - cpuBefore;
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const latencies = relayed.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const messagesSent = relayed.reduce((n, r) => n + r.sent, 0);
    const messagesDelivered = relayed.reduce((n, r) => n + r.received, 0);
    return {
      server: kind,
      peersRequested: peers,
      peersRegistered,
      registerSeconds: round(registerSeconds),
      rssIdleMB: round(rssIdleMB),
      rssRegisteredMB: round(rssRegisteredMB),
      rssPeakMB: round(peak.stop()),
      rate,
      messagesSent,
      messagesDelivered,
      cpuCoresWhileRelaying: round(cpuSeconds / wallSeconds, 2),
      cpuMsPerMessage: round((cpuSeconds * 1000) / Math.max(1, messagesSent), 3),
      latencyP50Ms: round(percentile(latencies, 50), 2),
      latencyP99Ms: round(percentile(latencies, 99), 2),
      ...(cpuCoresIdle === undefined
        ? {}
        : { cpuCoresIdle: round(cpuCoresIdle, 3), cpuMsPerMessageNet: round(((cpuSeconds - cpuCoresIdle * wallSeconds) * 1000) / Math.max(1, messagesSent), 4) }),
    };
  } finally {
    for (const c of clients) c.child.stdin?.write('{"cmd":"quit"}\n');
    await Promise.all(clients.map((c) => c.stop(2000)));
    if (process.env.BENCH_TRACE_GC) console.log(longGcPauses(server.log));
    await server.stop(5000);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '10000' },
      'compare-peers': { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      json: { type: 'string' },
      // Passed to ferry-signal as they are (limits for a load test from two addresses, say).
      'ferry-arg': { type: 'string', multiple: true, default: [] },
      // A cluster on Redis of this many nodes, `peers` per node, beside Ferry alone (signal-cluster.ts).
      nodes: { type: 'string' },
      'idle-seconds': { type: 'string', default: '10' },
    },
  });
  if (values.nodes !== undefined) {
    const nodes = { nodes: Number(values.nodes), peersPerNode: Number(values.peers), rate: Number(values.rate), seconds: Number(values.seconds), idleSeconds: Number(values['idle-seconds']) };
    await mainNodes(nodes, Number(values.rounds), values['ferry-arg'] as string[], values.json);
    return;
  }
  const peers = Number(values.peers);
  const comparePeers = Number(values['compare-peers']);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const ferryArgs = values['ferry-arg'] as string[];
  const lab = Lab.create({ hosts: ['server', 'c1', 'c2'] });
  const deadline = setTimeout(() => {
    console.error('benchmark took longer than 20 minutes; stopping');
    process.exit(1);
  }, 20 * 60 * 1000);
  try {
    const results: RunResult[] = [];
    // Bare and Ferry alternate, round after round: each ratio is taken within a round, and the
    // median of the rounds is reported (one pair of runs on this machine varies by ±15 %).
    const rounds: Array<{ bare: RunResult; ferry: RunResult }> = [];
    for (let round = 0; round < Number(values.rounds); round++) {
      const bare = await run(lab, 'bare peer', comparePeers, rate, seconds, ferryArgs);
      const ferry = await run(lab, 'ferry', comparePeers, rate, seconds, ferryArgs);
      rounds.push({ bare, ferry });
      results.push(bare, ferry);
      console.table([bare, ferry]);
    }
    if (peers !== comparePeers) {
      results.push(await run(lab, 'ferry', peers, rate, seconds, ferryArgs));
      console.table([results.at(-1)]);
    }
    const medianRatio = (of: (r: RunResult) => number) => {
      const ratios = rounds.map(({ bare, ferry }) => of(ferry) / of(bare)).sort((a, b) => a - b);
      return ratios.length === 0 ? null : round(ratios[Math.floor(ratios.length / 2)] as number, 2);
    };
    const comparison = {
      peers: comparePeers,
      rounds: rounds.length,
      rssRegistered: medianRatio((r) => r.rssRegisteredMB),
      rssGrowthPerPeer: medianRatio((r) => r.rssRegisteredMB - r.rssIdleMB),
      cpuPerMessage: medianRatio((r) => r.cpuMsPerMessage),
      cpuPerMessageEachRound: rounds.map(({ bare, ferry }) => round(ferry.cpuMsPerMessage / bare.cpuMsPerMessage, 2)),
      latencyP99: medianRatio((r) => r.latencyP99Ms),
    };
    const full = results.at(-1);
    const targets = {
      peers: { target: peers, value: full?.peersRegistered, met: full?.peersRegistered === peers },
      rssMB: { target: 300, value: full?.rssPeakMB, met: (full?.rssPeakMB ?? Infinity) <= 300 },
      latencyP99Ms: { target: 20, value: full?.latencyP99Ms, met: (full?.latencyP99Ms ?? Infinity) <= 20 },
      overheadVsBare: { target: 1.1, value: comparison.cpuPerMessage, met: (comparison.cpuPerMessage ?? Infinity) <= 1.1 },
    };
    console.table(results);
    console.log('Ferry / bare peer, same peers and rate:', comparison);
    console.table(targets);
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), rate, seconds, results, comparison, targets }, null, 2)}\n`);
  } finally {
    clearTimeout(deadline);
    await lab.dispose();
  }
}

/** --nodes N: Ferry alone at `peers`, then N nodes on Redis with `peers` each, same rate; compared. */
async function mainNodes(
  settings: { nodes: number; peersPerNode: number; rate: number; seconds: number; idleSeconds: number },
  rounds: number,
  userArgs: string[],
  json: string | undefined,
): Promise<void> {
  const { nodes, peersPerNode, rate, seconds, idleSeconds } = settings;
  if (!Number.isInteger(nodes) || nodes < 2) throw new Error('--nodes takes a whole number, 2 or more');
  const ferryArgs = clusterFerryArgs(nodes, peersPerNode, userArgs);
  const lab = Lab.create({ hosts: ['server', 'c1', 'c2', ...clusterLabHosts(nodes)] });
  const deadline = setTimeout(() => {
    console.error('benchmark took longer than 20 minutes; stopping');
    process.exit(1);
  }, 20 * 60 * 1000);
  try {
    // Ferry alone then the cluster, round after round; the targets are judged on the rounds' medians.
    const results: ClusterRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const single = await run(lab, 'ferry', peersPerNode, rate, seconds, ferryArgs, idleSeconds);
      console.log(`Round ${i + 1}: Ferry alone, ${peersPerNode} peers, ${rate} msg/s:`);
      console.table([single]);
      const cluster = await runCluster(lab, { ...settings, ferryArgs });
      const comparison = compareWithSingle(single, cluster);
      printCluster(single, cluster, comparison);
      results.push({ single, cluster, estimate: comparison.estimate });
    }
    const summary = summarize(results);
    console.log(`Medians over ${rounds} round(s):`, summary.figures);
    console.table(summary.targets);
    if (json) writeFileSync(json, `${JSON.stringify({ date: new Date().toISOString(), ...settings, rounds, ferryArgs, ...summary, results }, null, 2)}\n`);
  } finally {
    clearTimeout(deadline);
    await lab.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
