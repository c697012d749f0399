/*
 * A cluster's metrics and dashboard view on real parts: two signaling nodes on a real
 * redis-server, wired as cli.ts wires them (observability, createClusterMetrics on its registry,
 * `clusterEvents`), raw PeerJS sockets, /metrics and /status/events read over HTTP.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createObservability, type ClusterEvent, type ResetEvent } from '../observability/index.js';
import { type SignalingServer, startSignalingServer } from '../server.js';
import { cleanup, peerId, registered, track } from '../test-support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { until } from '../test-support/until.js';
import { createClusterMetrics } from './cluster-metrics.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
});
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await cleanup();
});

/** One node as cli.ts builds it with --redis. */
async function node(name: string): Promise<SignalingServer> {
  // The server is created after its hooks, so they read it through a reference.
  const ref: { server?: SignalingServer } = {};
  const observability = createObservability({
    log: pino({ level: 'silent' }),
    flushIntervalMs: 20,
    connectedPeers: () => ref.server?.stats().peers ?? 0,
    cluster: () => ref.server?.cluster(),
  });
  closers.push(() => observability.close());
  const clusterEvents = createClusterMetrics(observability.registry, () => ref.server?.cluster());
  const server = track(
    await startSignalingServer({
      host: '127.0.0.1',
      port: 0,
      redis: { url: redis.url, nodeId: name },
      events: observability.events,
      clusterEvents,
      routes: (router) => router.use(observability.router),
    }),
  );
  ref.server = server;
  return server;
}

/** Prometheus text → { 'name{labels}': value }. */
async function scrape(server: SignalingServer): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

/** Reads /status/events as EventSource would, keeping each event's type and parsed data. */
async function openStream(server: SignalingServer): Promise<{ events: Array<{ type: string; data: unknown }>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${server.port}/status/events`, { signal: abort.signal });
  expect(res.status).toBe(200);
  const events: Array<{ type: string; data: unknown }> = [];
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (chunk === undefined || chunk.done) return;
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const type = frame.find((l) => l.startsWith('event: '))?.slice(7);
        const data = frame.find((l) => l.startsWith('data: '))?.slice(6);
        if (type !== undefined && data !== undefined) events.push({ type, data: JSON.parse(data) });
      }
    }
  })();
  const close = () => abort.abort();
  closers.push(close);
  return { events, close };
}

const offer = (dst: string) => ({ type: 'OFFER', dst, payload: { sdp: 'v=0', connectionId: 'dc_1' } });

describe('cluster metrics on /metrics', () => {
  it('counts messages crossing between nodes, Redis round trips, and reads the cluster’s size at scrape time', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const before = await scrape(a);
    expect(before.get('ferry_signal_cross_node_messages_total{direction="out"}')).toBe(0);
    expect(before.get('ferry_signal_cross_node_messages_total{direction="in"}')).toBe(0);

    const alice = await registered(a.port, peerId(1));
    const bob = await registered(b.port, peerId(2));
    alice.send(offer(bob.id));
    expect(await bob.next()).toMatchObject({ type: 'OFFER', src: alice.id });
    bob.send({ type: 'ANSWER', dst: alice.id, payload: { sdp: 'v=0' } });
    expect(await alice.next()).toMatchObject({ type: 'ANSWER', src: bob.id });

    // Gauges follow the nodes' reports, which travel at the node heartbeat.
    const metricsA = await until('A sees both nodes and both peers', async () => {
      const m = await scrape(a);
      return m.get('ferry_signal_cluster_nodes') === 2 && m.get('ferry_signal_cluster_peers') === 2 ? m : undefined;
    });
    expect(metricsA.get('ferry_signal_cross_node_messages_total{direction="out"}')).toBe(1);
    expect(metricsA.get('ferry_signal_cross_node_messages_total{direction="in"}')).toBe(1);
    expect(metricsA.get('ferry_signal_redis_up')).toBe(1);
    expect(metricsA.get('ferry_signal_redis_errors_total')).toBe(0);
    expect(metricsA.get('ferry_signal_redis_round_trip_seconds_count')).toBeGreaterThan(0);
    expect(metricsA.get('ferry_signal_redis_round_trip_seconds_bucket{le="1"}')).toBe(metricsA.get('ferry_signal_redis_round_trip_seconds_count'));
    const metricsB = await scrape(b);
    expect(metricsB.get('ferry_signal_cross_node_messages_total{direction="out"}')).toBe(1);
    expect(metricsB.get('ferry_signal_cross_node_messages_total{direction="in"}')).toBe(1);

    // Redis gone: the gauge says so at the next scrape, and the loss is counted as an error.
    await redis.stop();
    const down = await until('A reports redis down', async () => {
      const m = await scrape(a);
      return m.get('ferry_signal_redis_up') === 0 ? m : undefined;
    });
    expect(down.get('ferry_signal_redis_errors_total')).toBeGreaterThan(0);
    await redis.restart();
  }, 30_000);

  it('reads 0 from the gauges before the server has a cluster to show', async () => {
    const registry = new Registry();
    const events = createClusterMetrics(registry, () => undefined);
    events.redisRoundTrip?.(0.3);
    events.redisRoundTrip?.(Number.NaN); // ignored: not a duration
    const text = await registry.metrics();
    expect(text).toMatch(/^ferry_signal_redis_up 0$/m);
    expect(text).toMatch(/^ferry_signal_cluster_nodes 0$/m);
    expect(text).toMatch(/^ferry_signal_redis_round_trip_seconds_bucket\{le="0.0005"\} 1$/m);
    expect(text).toMatch(/^ferry_signal_redis_round_trip_seconds_count 1$/m);
  });
});

describe('the cluster on /status', () => {
  it('streams the cluster view as this node sees it, and a new stream’s snapshot carries it', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const stream = await openStream(a);
    await registered(a.port, peerId(1));
    await registered(b.port, peerId(2));
    const seen = await until('a cluster event with both nodes and peers', () =>
      stream.events.find((e): e is { type: 'cluster'; data: ClusterEvent } => e.type === 'cluster' && (e.data as ClusterEvent).peers === 2 && (e.data as ClusterEvent).nodes.length === 2),
    );
    expect(seen.data).toMatchObject({ node: 'node-a', redis: 'up', nodes: [{ node: 'node-a', peers: 1 }, { node: 'node-b', peers: 1 }] });
    expect(seen.data.redisRoundTripMs).toBeGreaterThanOrEqual(0);
    for (const n of seen.data.nodes) expect(n.startedAt).toBeLessThanOrEqual(Date.now());
    stream.close();

    // A dashboard opened now starts from a snapshot that already holds the cluster.
    const later = await openStream(a);
    const reset = await until('the snapshot', () => later.events.find((e) => e.type === 'reset'));
    expect((reset.data as ResetEvent).cluster).toMatchObject({ node: 'node-a', redis: 'up', peers: 2 });
  }, 20_000);

  it('says nothing of a cluster on a server without Redis', async () => {
    const ref: { server?: SignalingServer } = {};
    const observability = createObservability({ log: pino({ level: 'silent' }), flushIntervalMs: 20, cluster: () => ref.server?.cluster() });
    closers.push(() => observability.close());
    const server = track(await startSignalingServer({ host: '127.0.0.1', port: 0, events: observability.events, routes: (router) => router.use(observability.router) }));
    ref.server = server;
    const stream = await openStream(server);
    await registered(server.port, peerId(1));
    await until('a peers event', () => stream.events.find((e) => e.type === 'peers'));
    expect(stream.events.map((e) => e.type)).not.toContain('cluster');
    expect(stream.events[0]?.data).not.toHaveProperty('cluster');
  });
});
