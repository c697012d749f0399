/*
 * Several nodes as one on a real redis-server (Debian's, on a loopback port of the test's own):
 * raw PeerJS-protocol sockets on different nodes meet, as on one node.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SignalingServer, startSignalingServer } from '../server.js';
import { cleanup, peerId, RawPeer, refused, registered, track } from '../test-support/raw-peer.js';
import { startTestRedis, type TestRedis } from '../test-support/redis-server.js';
import { until } from '../test-support/until.js';
import { peerKey } from './keys.js';

let redis: TestRedis;
let inspect: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  inspect.on('error', () => {});
  await inspect.connect();
}, 20_000);
afterAll(async () => {
  inspect?.disconnect();
  await redis?.stop();
});
afterEach(async () => {
  await cleanup();
  if (inspect.status === 'ready') await inspect.flushdb();
});

type Options = Parameters<typeof startSignalingServer>[0];
async function node(name: string, options: Options = {}): Promise<SignalingServer> {
  return track(await startSignalingServer({ host: '127.0.0.1', port: 0, redis: { url: redis.url, nodeId: name }, ...options }));
}

async function health(server: SignalingServer): Promise<{ redis?: string; node?: string; cluster?: { nodes: number; peers: number } }> {
  return (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as never;
}

const offer = (dst: string, extra: Record<string, unknown> = {}) => ({ type: 'OFFER', dst, payload: { sdp: 'v=0', connectionId: 'dc_1' }, ...extra });

describe('a cluster of signaling nodes on Redis', () => {
  it('relays OFFER, ANSWER, CANDIDATE and LEAVE between peers on different nodes, with the true sender', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const alice = await registered(a.port, peerId(1));
    const bob = await registered(b.port, peerId(2));
    // A forged src is overwritten with the sender's id, across nodes as on one.
    alice.send(offer(bob.id, { src: peerId(9) }));
    expect(await bob.next()).toMatchObject({ type: 'OFFER', src: alice.id, dst: bob.id, payload: { sdp: 'v=0' } });
    for (const type of ['ANSWER', 'CANDIDATE', 'LEAVE']) {
      bob.send({ type, dst: alice.id, payload: { n: type } });
      expect(await alice.next()).toMatchObject({ type, src: bob.id, payload: { n: type } });
    }
    const view = await until('both nodes, with their peers, in each view', () => (a.cluster()?.peers === 2 && b.cluster()?.peers === 2 ? a.cluster() : undefined));
    expect(view.nodes.map((n) => [n.node, n.peers])).toEqual([['node-a', 1], ['node-b', 1]]);
    expect(await health(a)).toMatchObject({ redis: 'up', node: 'node-a', cluster: { nodes: 2, peers: 2 } });
  });

  it('keeps one id space: another token is refused on another node; the same token takes the id over', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const first = await registered(a.port, peerId(1), { token: 'first-client' });
    const refusal = await refused(b.port, peerId(1), { token: 'someone-else' });
    expect(refusal.message).toMatchObject({ type: 'ID-TAKEN' });
    // The same client (its token) coming back through node B: B takes the id, A lets its socket go.
    const again = await registered(b.port, peerId(1), { token: 'first-client' });
    expect(await first.next()).toMatchObject({ type: 'ERROR' });
    expect((await first.closed).code).toBe(4410);
    expect(await inspect.get(peerKey(peerId(1)))).toMatch(/^node-b\n/);
    // Messages for the id now reach the socket on B, also from a peer on A.
    const carol = await registered(a.port, peerId(3));
    carol.send(offer(again.id));
    expect(await again.next()).toMatchObject({ type: 'OFFER', src: carol.id });
    // When it leaves, the id is free everywhere.
    again.close();
    await until('the id released', async () => ((await inspect.get(peerKey(peerId(1)))) === null ? true : undefined));
    await registered(a.port, peerId(1), { token: 'someone-else' });
  });

  it('holds messages for a peer connected nowhere until it registers on any node, and answers EXPIRE in time otherwise', async () => {
    const queue = { limit: 3, timeoutMs: 1_000 };
    const a = await node('node-a', { queue });
    const b = await node('node-b', { queue });
    const alice = await registered(a.port, peerId(1));
    const later = peerId(2);
    alice.send(offer(later));
    alice.send({ type: 'CANDIDATE', dst: later, payload: { candidate: 'c1' } });
    await until('held in redis', async () => ((await inspect.llen(`ferry:held:${later}`)) === 2 ? true : undefined));
    const bob = await registered(b.port, later);
    expect(await bob.next()).toMatchObject({ type: 'OFFER', src: alice.id });
    expect(await bob.next()).toMatchObject({ type: 'CANDIDATE', src: alice.id, payload: { candidate: 'c1' } });
    // Nobody takes these: the sender hears EXPIRE once for them, within the queue timeout (plus a sweep).
    const never = peerId(3);
    for (let i = 0; i < 5; i++) alice.send({ type: 'CANDIDATE', dst: never, payload: { i } });
    const started = Date.now();
    expect(await alice.next(4_000)).toMatchObject({ type: 'EXPIRE', src: never, dst: alice.id });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await alice.drain(300)).toEqual([]);
    // The per-peer cap holds across the cluster: 3 held, 2 refused.
    expect(a.stats().refused['queue-full']).toBe(2);
    expect(a.stats().queued).toBe(5);
  });

  it('two sockets asking one node for one id at once: one gets it, and the other cannot take it from another node later', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const one = RawPeer.connect(a.port, peerId(5), { token: 'token-one' });
    const two = RawPeer.connect(a.port, peerId(5), { token: 'token-two' });
    const [firstOfOne, firstOfTwo] = [(await one.next()).type, (await two.next()).type];
    expect([firstOfOne, firstOfTwo].sort()).toEqual(['ID-TAKEN', 'OPEN']);
    const loserToken = firstOfOne === 'ID-TAKEN' ? 'token-one' : 'token-two';
    // The one refused holds nothing: its token does not take the id over through another node.
    expect((await refused(b.port, peerId(5), { token: loserToken })).message).toMatchObject({ type: 'ID-TAKEN' });
  });

  it('an id whose node died (no report) is free; a message for it is held, not published into a dead subscription', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const alice = await registered(a.port, peerId(1));
    const orphan = peerId(6);
    await inspect.set(peerKey(orphan), 'ghost-node\nsomehash', 'PX', 60_000);
    alice.send(offer(orphan));
    await until('held, not sent', async () => ((await inspect.llen(`ferry:held:${orphan}`)) === 1 ? true : undefined));
    const back = await registered(b.port, orphan, { token: 'another-token' });
    expect(await back.next()).toMatchObject({ type: 'OFFER', src: alice.id });
  });

  it('a node that stops hands its ids back at once, even under a shared access token', async () => {
    const access = { kind: 'shared' as const, token: 'correct-horse-battery-staple' };
    const a = await node('node-a', { access });
    const b = await node('node-b', { access });
    await registered(a.port, peerId(7), { token: access.token });
    expect((await refused(b.port, peerId(7), { token: access.token })).message).toMatchObject({ type: 'ID-TAKEN' });
    // Redis holds no hash of the shared secret.
    expect(await inspect.get(peerKey(peerId(7)))).toBe('node-a\nshared');
    await a.close();
    await registered(b.port, peerId(7), { token: access.token });
  });

  it('counts the whole cluster against --max-peers', async () => {
    const a = await node('node-a', { maxPeers: 2 });
    const b = await node('node-b', { maxPeers: 2 });
    await registered(a.port, peerId(1));
    await registered(b.port, peerId(2));
    await until('A hears B’s count', () => (a.cluster()?.peers === 2 ? true : undefined));
    const full = await refused(a.port, peerId(3));
    expect(full.close.code).toBe(4503);
  });

  it('rides out a Redis restart: local relays go on, crossings get EXPIRE, then registrations and routing come back', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const alice = await registered(a.port, peerId(1), { token: 'alice-token' });
    const amir = await registered(a.port, peerId(4));
    const bob = await registered(b.port, peerId(2));
    await redis.stop();
    await until('A says redis is down', async () => ((await health(a)).redis === 'down' ? true : undefined));
    // Between A's own clients nothing changes.
    alice.send(offer(amir.id));
    expect(await amir.next()).toMatchObject({ type: 'OFFER', src: alice.id });
    // A message that cannot cross is answered at once.
    alice.send(offer(bob.id));
    expect(await alice.next()).toMatchObject({ type: 'EXPIRE', src: bob.id, dst: alice.id });

    await redis.restart();
    await until('both nodes back', async () => ((await health(a)).redis === 'up' && (await health(b)).redis === 'up' ? true : undefined), 15_000);
    // The restarted Redis was empty: each node restored its own registrations.
    await until('alice restored', async () => ((await inspect.get(peerKey(alice.id)).catch(() => null))?.startsWith('node-a\n') ? true : undefined), 30_000);
    expect(await refused(b.port, alice.id, { token: 'someone-else' })).toMatchObject({ message: { type: 'ID-TAKEN' } });
    alice.send(offer(bob.id));
    expect(await bob.next()).toMatchObject({ type: 'OFFER', src: alice.id });
  }, 60_000);
});

describe('a node whose Redis is unreachable from the start', () => {
  it('serves its own clients and says so in /health', async () => {
    const server = track(await startSignalingServer({ host: '127.0.0.1', port: 0, redis: { url: 'redis://127.0.0.1:1/0', nodeId: 'alone' } }));
    expect(await health(server)).toMatchObject({ redis: 'down', node: 'alone' });
    const x = await registered(server.port, peerId(1));
    const y = await registered(server.port, peerId(2));
    x.send(offer(y.id));
    expect(await y.next()).toMatchObject({ type: 'OFFER', src: x.id });
    x.send(offer(peerId(3)));
    expect(await x.next()).toMatchObject({ type: 'EXPIRE', src: peerId(3) });
  });
});
