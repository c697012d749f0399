import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../cluster/cluster-node.js';
import { ClusterStatus } from './cluster-status.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function twoNodes(): ClusterView {
  return {
    node: 'node-a',
    redis: 'up',
    nodes: [
      { node: 'node-a', peers: 1, startedAt: 900_000, version: '0.1.0' },
      { node: 'node-b', peers: 2, startedAt: 950_000, version: '0.1.0' },
    ],
    peers: 3,
    redisRoundTripMs: 0.4321,
  };
}

describe('cluster status events', () => {
  it('publishes nothing when the server is not clustered', () => {
    const status = new ClusterStatus({ now: clock().now, view: () => undefined });
    expect(status.flush()).toBeUndefined();
    expect(status.published()).toBeUndefined();
  });

  it('publishes the view once, then only when nodes, peers or Redis change', () => {
    const c = clock();
    const view = twoNodes();
    const status = new ClusterStatus({ now: c.now, view: () => view });
    const first = status.flush();
    expect(first).toEqual({ t: c.now(), ...view, redisRoundTripMs: 0.43 });
    expect(status.published()).toBe(first);
    c.advance(1000);
    expect(status.flush()).toBeUndefined();

    (view.nodes[1] as { peers: number }).peers = 3;
    view.peers = 4;
    expect(status.flush()).toMatchObject({ peers: 4, nodes: [{ peers: 1 }, { peers: 3 }] });
    view.redis = 'down';
    expect(status.flush()).toMatchObject({ redis: 'down' });
    view.nodes.pop();
    expect(status.flush()?.nodes.map((n) => n.node)).toEqual(['node-a']);
  });

  it('sends a new round trip alone only after the refresh interval', () => {
    const c = clock();
    const view = twoNodes();
    const status = new ClusterStatus({ now: c.now, view: () => view, refreshMs: 10_000 });
    status.flush();
    view.redisRoundTripMs = 0.9;
    c.advance(9_999);
    expect(status.flush()).toBeUndefined();
    c.advance(1);
    expect(status.flush()).toMatchObject({ redisRoundTripMs: 0.9 });
    // The same round trip again is no news, however long it has been.
    c.advance(60_000);
    expect(status.flush()).toBeUndefined();
  });

  it('bounds the event: nodes listed and text lengths', () => {
    const view = twoNodes();
    view.nodes = Array.from({ length: 5 }, (_, i) => ({ node: `n${i}-${'x'.repeat(200)}`, peers: 0, startedAt: 0, version: 'v'.repeat(500) }));
    const status = new ClusterStatus({ now: clock().now, view: () => view, maxNodes: 3 });
    const event = status.flush();
    expect(event?.nodes).toHaveLength(3);
    expect(event?.nodesOmitted).toBe(2);
    expect(event?.nodes[0]?.node).toHaveLength(100);
    expect(event?.nodes[0]?.version).toHaveLength(100);
  });
});
