/*
 * The cluster half of `npm run bench:signal -- --nodes N` (signal.bench.ts runs Ferry alone first,
 * at the same peers per node and rate, as the baseline).
 *
 * In the lab: Debian's redis-server on host `redis`, N `ferry-signal --redis URL --node-name nK`
 * on hosts n1..nN, and one load client per node on hosts k1..kN registering `peersPerNode` peers
 * on its node (so --peers means peers PER NODE: N x peers in the cluster). Each client sends at
 * rate / N to random peers of the whole population, so (N-1)/N of the messages cross nodes
 * (through Redis: one ROUTE script call, a PUBLISH on the holder's channel). Every message carries
 * its sender's node; receivers bucket latency by local and cross-node.
 *
 * Measured, like the single run: per node RSS (idle, registered, peak) and CPU from /proc of its
 * namespace; Redis's CPU the same way (its host runs nothing else); a quiet window first (peers
 * registered, heartbeats only, nothing relayed) so the relaying's own CPU can be told from the
 * cost of keeping N x peers alive.
 */
import type { Lab, LabHost } from '../e2e/lab/lab.js';
import type { TrackedProcess } from '../e2e/lab/processes.js';
import { type RedisHost, startRedisHost } from '../e2e/support/redis-host.js';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOfNamespace, medianOf, rssOfNamespace, samplePeak } from './pss.js';
import { longGcPauses, percentile, round, type RunResult } from './signal-stats.js';

const PORT = 9000;
const CLIENT = fileURLToPath(new URL('./signal-load-client.ts', import.meta.url));
const FERRY = fileURLToPath(new URL('../signaling-server/bin/ferry-signal.js', import.meta.url));

export interface ClusterRunOptions {
  nodes: number;
  peersPerNode: number;
  /** Messages per second, in total over the cluster. */
  rate: number;
  seconds: number;
  idleSeconds: number;
  ferryArgs: readonly string[];
}

export interface NodeResult {
  node: string;
  peersRegistered: number;
  rssIdleMB: number;
  rssRegisteredMB: number;
  rssPeakMB: number;
  rssPerPeerKB: number;
  cpuCoresIdle: number;
  cpuCoresWhileRelaying: number;
  /** Messages its own clients sent into it (each node takes in 1/N of the traffic and delivers 1/N). */
  messagesSentHere: number;
  cpuMsPerMessage: number;
  cpuMsPerMessageNet: number;
}

export interface ClusterResult {
  nodes: NodeResult[];
  peersRequested: number;
  peersRegistered: number;
  registerSeconds: number;
  rate: number;
  messagesSent: number;
  messagesDelivered: number;
  localDelivered: number;
  crossDelivered: number;
  crossFraction: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  localP50Ms: number;
  localP99Ms: number;
  crossP50Ms: number;
  crossP99Ms: number;
  /** All nodes' CPU over the relay window / messages sent in the cluster. */
  cpuMsPerMessage: number;
  /** The same less each node's idle rate over the window. */
  cpuMsPerMessageNet: number;
  redis: { cpuCoresIdle: number; cpuCoresWhileRelaying: number; cpuMsPerMessage: number; cpuMsPerCrossMessage: number; rssMB: number };
}

/** Lab hosts the cluster run needs beside the single run's. */
export function clusterLabHosts(nodes: number): string[] {
  return ['redis', ...range(nodes).map((i) => `n${i + 1}`), ...range(nodes).map((i) => `k${i + 1}`)];
}

/**
 * Both runs' ferry-signal arguments: the user's, plus what a load from one address per node needs
 * unless the user set it (per-address limits off; room for the whole cluster's peers, which
 * `--max-peers` counts across the cluster).
 */
export function clusterFerryArgs(nodes: number, peersPerNode: number, userArgs: readonly string[]): string[] {
  const has = (flag: string) => userArgs.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  return [
    ...(has('ip-connections') ? [] : ['--ip-connections=0']),
    ...(has('ip-message-rate') ? [] : ['--ip-message-rate=0']),
    ...(has('max-peers') ? [] : [`--max-peers=${2 * nodes * peersPerNode}`]),
    ...userArgs,
  ];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function netnsOf(host: LabHost): string {
  if (!host.netns) throw new Error('the benchmark needs the namespace lab (run as root)');
  return host.netns;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCluster(lab: Lab, options: ClusterRunOptions): Promise<ClusterResult> {
  const { nodes, peersPerNode, rate, seconds, idleSeconds } = options;
  const redisNs = netnsOf(lab.host('redis'));
  const nodeHosts = range(nodes).map((i) => lab.host(`n${i + 1}`));
  const nodeNs = nodeHosts.map(netnsOf);
  const servers: TrackedProcess[] = [];
  const clients: TrackedProcess[] = [];
  let redis: RedisHost | undefined;
  try {
    redis = await startRedisHost(lab.host('redis'));
    const redisUrl = redis.url;
    nodeHosts.forEach((host, i) => {
      servers.push(host.spawn(`ferry-signal-n${i + 1}`, process.execPath, [...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : []), FERRY, '--host', '0.0.0.0', '--port', String(PORT), '--redis', redisUrl, '--node-name', `n${i + 1}`, ...options.ferryArgs]));
    });
    await Promise.all(servers.map((s) => s.waitForLine(/listening/, 20_000)));
    const rssIdle = await Promise.all(nodeNs.map((ns) => medianOf(() => rssOfNamespace(ns), 5, 200)));
    const peaks = nodeNs.map((ns) => samplePeak(() => rssOfNamespace(ns), 500));

    nodeHosts.forEach((host, i) => {
      const url = `ws://${host.address}:${PORT}/`;
      const slice = { url, key: 'peerjs', from: i * peersPerNode, to: (i + 1) * peersPerNode, total: nodes * peersPerNode, node: i };
      clients.push(lab.host(`k${i + 1}`).spawn(`load-k${i + 1}`, process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify(slice)]));
    });
    const registered = await Promise.all(clients.map(async (c) => JSON.parse(await c.waitForLine(/"event":"registered"/, 300_000)) as { registered: number; seconds: number }));
    await sleep(3000); // the registration's garbage settles
    const rssRegistered = await Promise.all(nodeNs.map((ns) => medianOf(() => rssOfNamespace(ns), 5, 200)));

    // Quiet window: peers registered, heartbeats and registration renewals only.
    const cpuAll = () => ({ nodes: nodeNs.map(cpuSecondsOfNamespace), redis: cpuSecondsOfNamespace(redisNs) });
    const idleFrom = cpuAll();
    const idleAt = performance.now();
    await sleep(idleSeconds * 1000);
    const idleTo = cpuAll();
    const idleWall = Math.max(0.001, (performance.now() - idleAt) / 1000);
    const idleCores = idleTo.nodes.map((c, i) => (c - (idleFrom.nodes[i] ?? 0)) / idleWall);
    const redisIdleCores = (idleTo.redis - idleFrom.redis) / idleWall;

    const before = cpuAll();
    const startedAt = performance.now();
    const done = clients.map((c) => c.waitForLine(/"event":"relayed"/, (seconds + 60) * 1000, { fresh: true }));
    for (const c of clients) c.child.stdin?.write(`${JSON.stringify({ cmd: 'relay', rate: rate / nodes, seconds })}\n`);
    type Relayed = { sent: number; received: number; latencies: number[]; local: number[]; cross: number[]; slow: Array<[number, number]> };
    const relayed = await Promise.all(done.map(async (line) => JSON.parse(await line) as Relayed));
    const after = cpuAll();
    const wall = (performance.now() - startedAt) / 1000;
    const slow = relayed.flatMap((r) => r.slow).sort((a, b) => a[0] - b[0]);
    if (slow.length > 0) console.log(`cluster, ${nodes} x ${peersPerNode} peers: messages slower than 50 ms [ms into the run, latency ms]:`, JSON.stringify(slow.slice(0, 40)));

    const messagesSent = relayed.reduce((n, r) => n + r.sent, 0);
    const sorted = (of: (r: Relayed) => number[]) => relayed.flatMap(of).sort((a, b) => a - b);
    const all = sorted((r) => r.latencies);
    const local = sorted((r) => r.local);
    const cross = sorted((r) => r.cross);
    const nodeResults: NodeResult[] = nodeHosts.map((_, i) => {
      const cpu = (after.nodes[i] ?? 0) - (before.nodes[i] ?? 0);
      const sentHere = Math.max(1, relayed[i]?.sent ?? 0);
      const peersHere = registered[i]?.registered ?? 0;
      return {
        node: `n${i + 1}`,
        peersRegistered: peersHere,
        rssIdleMB: round(rssIdle[i] ?? 0),
        rssRegisteredMB: round(rssRegistered[i] ?? 0),
        rssPeakMB: round(peaks[i]?.stop() ?? 0),
        rssPerPeerKB: round((((rssRegistered[i] ?? 0) - (rssIdle[i] ?? 0)) * 1024) / Math.max(1, peersHere), 2),
        cpuCoresIdle: round(idleCores[i] ?? 0, 3),
        cpuCoresWhileRelaying: round(cpu / wall, 3),
        messagesSentHere: relayed[i]?.sent ?? 0,
        cpuMsPerMessage: round((cpu * 1000) / sentHere, 3),
        cpuMsPerMessageNet: round(((cpu - (idleCores[i] ?? 0) * wall) * 1000) / sentHere, 4),
      };
    });
    const nodeCpu = range(nodes).reduce((sum, i) => sum + (after.nodes[i] ?? 0) - (before.nodes[i] ?? 0), 0);
    const nodeIdle = idleCores.reduce((a, b) => a + b, 0);
    const redisCpu = after.redis - before.redis;
    return {
      nodes: nodeResults,
      peersRequested: nodes * peersPerNode,
      peersRegistered: registered.reduce((n, r) => n + r.registered, 0),
      registerSeconds: round(Math.max(...registered.map((r) => r.seconds))),
      rate,
      messagesSent,
      messagesDelivered: relayed.reduce((n, r) => n + r.received, 0),
      localDelivered: local.length,
      crossDelivered: cross.length,
      crossFraction: round(cross.length / Math.max(1, local.length + cross.length), 3),
      latencyP50Ms: round(percentile(all, 50), 2),
      latencyP99Ms: round(percentile(all, 99), 2),
      localP50Ms: round(percentile(local, 50), 2),
      localP99Ms: round(percentile(local, 99), 2),
      crossP50Ms: round(percentile(cross, 50), 2),
      crossP99Ms: round(percentile(cross, 99), 2),
      cpuMsPerMessage: round((nodeCpu * 1000) / Math.max(1, messagesSent), 3),
      cpuMsPerMessageNet: round(((nodeCpu - nodeIdle * wall) * 1000) / Math.max(1, messagesSent), 4),
      redis: {
        cpuCoresIdle: round(redisIdleCores, 3),
        cpuCoresWhileRelaying: round(redisCpu / wall, 3),
        cpuMsPerMessage: round((redisCpu * 1000) / Math.max(1, messagesSent), 4),
        cpuMsPerCrossMessage: round((redisCpu * 1000) / Math.max(1, cross.length), 4),
        rssMB: round(rssOfNamespace(redisNs)),
      },
    };
  } finally {
    for (const c of clients) c.child.stdin?.write('{"cmd":"quit"}\n');
    await Promise.all(clients.map((c) => c.stop(2000)));
    if (process.env.BENCH_TRACE_GC) for (const s of servers) console.log(`${s.label} GC pauses over 20 ms:\n${longGcPauses(s.log)}`);
    await Promise.all(servers.map((s) => s.stop(5000)));
    await redis?.process.stop(3000);
  }
}

/**
 * The cluster against Ferry alone, and the targets.
 *
 * CPU per cross-node message, estimated: both runs' CPU per message is taken net of the quiet
 * window's rate (heartbeats of `peers` on every node, renewals in Redis: the cluster keeps N x
 * peers alive, the single node 1 x, which is a cost per peer, not per message). A local message
 * in a cluster node takes the single node's path (its destination is in the node's own registry),
 * so it costs what a message costs the single node: local = single net. The cluster's net CPU
 * per message mixes the two, cluster = f x cross + (1 - f) x local with f the measured cross
 * fraction, so cross = (cluster - (1 - f) x local) / f, summed over both nodes a crossing touches
 * (the sender's ROUTE call, the holder's delivery); Redis's CPU is reported apart, not in it.
 */
export function compareWithSingle(single: RunResult, cluster: ClusterResult) {
  const local = single.cpuMsPerMessageNet ?? single.cpuMsPerMessage;
  const f = cluster.crossFraction;
  const cross = f > 0 ? (cluster.cpuMsPerMessageNet - (1 - f) * local) / f : Number.NaN;
  const crossVsLocal = local > 0 ? cross / local : Number.NaN;
  const singlePerPeerKB = ((single.rssRegisteredMB - single.rssIdleMB) * 1024) / Math.max(1, single.peersRegistered);
  const rssPerPeerRatios = cluster.nodes.map((n) => round(n.rssPerPeerKB / singlePerPeerKB, 2));
  const worstRss = Math.max(...rssPerPeerRatios);
  const estimate = {
    localMsPerMessage: round(local, 4),
    clusterMsPerMessage: cluster.cpuMsPerMessageNet,
    crossFraction: f,
    crossMsPerMessage: round(cross, 4),
    crossVsLocal: round(crossVsLocal, 2),
    /** Without taking the quiet rate off: all nodes' CPU per message over Ferry alone's. */
    grossClusterVsSingle: round(cluster.cpuMsPerMessage / single.cpuMsPerMessage, 2),
    /** Redis's share per crossing, beside the nodes' (not in the target). */
    redisMsPerCrossMessage: cluster.redis.cpuMsPerCrossMessage,
    singleRssPerPeerKB: round(singlePerPeerKB, 2),
    rssPerPeerVsSingle: rssPerPeerRatios,
  };
  return { estimate, targets: targetsOf(cluster.crossP99Ms, estimate.crossVsLocal, worstRss, cluster.peersRegistered, cluster.peersRequested) };
}

function targetsOf(crossP99Ms: number, crossVsLocal: number, worstRssPerPeer: number, registered: number, requested: number) {
  return {
    crossP99Ms: { target: '≤ 20', value: crossP99Ms, met: crossP99Ms <= 20 },
    cpuCrossVsLocal: { target: '≤ 2', value: crossVsLocal, met: crossVsLocal <= 2 },
    rssPerPeerVsSingle: { target: '≤ 1.10 (worst node)', value: worstRssPerPeer, met: worstRssPerPeer <= 1.1 },
    allRegistered: { target: requested, value: registered, met: registered === requested },
  };
}

export interface ClusterRound {
  single: RunResult;
  cluster: ClusterResult;
  estimate: ReturnType<typeof compareWithSingle>['estimate'];
}

/** Over the rounds (one pair of runs on this machine swings a lot): the median of each figure, and the targets on those. */
export function summarize(rounds: readonly ClusterRound[]) {
  const median = (of: (r: ClusterRound) => number) => {
    const values = rounds.map(of).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const each = (of: (r: ClusterRound) => number) => rounds.map(of);
  const figures = {
    rounds: rounds.length,
    singleP99Ms: median((r) => r.single.latencyP99Ms),
    localP50Ms: median((r) => r.cluster.localP50Ms),
    localP99Ms: median((r) => r.cluster.localP99Ms),
    crossP50Ms: median((r) => r.cluster.crossP50Ms),
    crossP99Ms: median((r) => r.cluster.crossP99Ms),
    crossP99MsEachRound: each((r) => r.cluster.crossP99Ms),
    singleMsPerMessageNet: median((r) => r.estimate.localMsPerMessage),
    clusterMsPerMessageNet: median((r) => r.estimate.clusterMsPerMessage),
    crossMsPerMessage: median((r) => r.estimate.crossMsPerMessage),
    crossVsLocal: median((r) => r.estimate.crossVsLocal),
    crossVsLocalEachRound: each((r) => r.estimate.crossVsLocal),
    grossClusterVsSingle: median((r) => r.estimate.grossClusterVsSingle),
    redisCores: median((r) => r.cluster.redis.cpuCoresWhileRelaying),
    redisMsPerCrossMessage: median((r) => r.estimate.redisMsPerCrossMessage),
    worstRssPerPeerVsSingle: median((r) => Math.max(...r.estimate.rssPerPeerVsSingle)),
    worstRssPerPeerVsSingleEachRound: each((r) => Math.max(...r.estimate.rssPerPeerVsSingle)),
  };
  const registered = Math.min(...rounds.map((r) => r.cluster.peersRegistered));
  const requested = rounds[0]?.cluster.peersRequested ?? 0;
  return { figures, targets: targetsOf(figures.crossP99Ms, figures.crossVsLocal, figures.worstRssPerPeerVsSingle, registered, requested) };
}

export function printCluster(single: RunResult, cluster: ClusterResult, comparison: ReturnType<typeof compareWithSingle>): void {
  const { nodes: perNode, redis, ...rest } = cluster;
  console.log(`Cluster, ${perNode.length} nodes x ${single.peersRequested} peers, ${cluster.rate} msg/s in total:`);
  console.table(perNode);
  console.table([rest]);
  console.log('Redis:', redis);
  console.log(
    'CPU per cross-node message, estimated: local = Ferry alone per message, net of its quiet (heartbeats-only) rate; ' +
      'cluster per message (all nodes, net of their quiet rates) = f x cross + (1 - f) x local, so cross = (cluster - (1 - f) x local) / f:',
    comparison.estimate,
  );
  console.table(comparison.targets);
}
