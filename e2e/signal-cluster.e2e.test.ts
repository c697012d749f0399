import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { Lab, type LabHost } from './lab/lab.js';
import type { TrackedProcess } from './lab/processes.js';
import { connectLink, type EngineApp, startEngineApp } from './support/engine-app.js';
import { SIGNAL_PROXY, startNginxHost } from './support/nginx-host.js';
import { type RedisHost, startRedisHost } from './support/redis-host.js';
import { startSignalHost } from './support/signal-host.js';

const PEERJS_PEER = fileURLToPath(new URL('./hosts/peerjs-cluster-peer.ts', import.meta.url));
const PORT = 9000;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function doneRow(peerId: string, direction: 'in' | 'out', title: string): (s: EngineSnapshot) => TransferRow | undefined {
  return (s) => s.conversations.find((c) => c.peerId === peerId)?.transfers.find((t) => t.direction === direction && t.title === title && ['done', 'failed', 'cancelled', 'declined'].includes(t.state));
}

/**
 * Three `ferry-signal` nodes on three lab hosts, one Redis on a fourth, nginx in front (each
 * client address sticks to one node and fails over to another, as docs/self-hosting.md says):
 * two apps on different nodes pair by code, connect and transfer; an id cannot be taken from
 * another node; a node killed under its clients, and Redis restarted, are ridden out.
 */
describe('signaling nodes as one cluster on Redis', () => {
  let lab: Lab;
  let root: string;
  let redis: RedisHost;
  const nodes = new Map<string, { process: TrackedProcess; url: string }>();
  let front: Awaited<ReturnType<typeof startNginxHost>>;
  let alice: EngineApp;
  let bob: EngineApp;
  let aliceId: string;
  let bobId: string;

  /** Which node holds `peerId`, as Redis says (read with redis-cli on the Redis host). */
  async function holder(peerId: string): Promise<string> {
    const cli = lab.host('redis').spawn('redis-cli', 'redis-cli', ['-u', redis.url, '--raw', 'GET', `ferry:peer:${peerId}`]);
    await cli.exited;
    return cli.log.split('\n')[0]?.trim() ?? '';
  }
  async function holderBecomes(peerId: string, node: string, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while ((await holder(peerId)) !== node) {
      if (Date.now() > deadline) throw new Error(`${peerId} is not on ${node} after ${ms} ms (on "${await holder(peerId)}")`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  function peerjsPeer(host: LabHost, label: string, args: { url: string; id: string; connectTo?: string }): TrackedProcess {
    return host.spawn(label, process.execPath, ['--import', 'tsx', PEERJS_PEER, JSON.stringify(args)]);
  }
  /** The same device (its settings and identity) started again: its links are gone, its id is not. */
  async function restarted(app: EngineApp, deviceName: string): Promise<EngineApp> {
    await app.kill();
    const again = await startEngineApp(lab.host(deviceName.toLowerCase()), { deviceName, signalingUrl: `http://${lab.host('front').address}:8080/`, settingsFile: app.settingsFile, downloadDir: app.downloadDir });
    await again.waitFor(`${deviceName} signaling after restart`, (s) => (s.signaling?.kind === 'connected' ? true : undefined), 60_000);
    return again;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cluster-'));
    lab = Lab.create({ hosts: ['redis', 'n1', 'n2', 'n3', 'front', 'alice', 'bob', 'probe1', 'probe2'] });
    redis = await startRedisHost(lab.host('redis'));
    for (const name of ['n1', 'n2', 'n3']) {
      const started = await startSignalHost(lab.host(name), PORT, ['--redis', redis.url, '--node-name', name, '--trust-proxy', lab.host('front').address, '--alive-timeout', '20s']);
      nodes.set(name, started);
    }
    const at = (name: string) => `${lab.host(name).address}:${PORT}`;
    // Alice's address sticks to n1 (n3 if n1 is down), everyone else's to n2 (n3 if n2 is down).
    front = await startNginxHost(
      lab.host('front'),
      `  upstream via_n1 { server ${at('n1')} max_fails=1 fail_timeout=30s; server ${at('n3')} backup; }
  upstream via_n2 { server ${at('n2')} max_fails=1 fail_timeout=30s; server ${at('n3')} backup; }
  map $remote_addr $signal_nodes { ${lab.host('alice').address} via_n1; default via_n2; }
  server {
    listen 8080;
    location / {
      proxy_pass http://$signal_nodes;${SIGNAL_PROXY}
    }
  }`,
    );
    const url = `http://${lab.host('front').address}:8080/`;
    [alice, bob] = await Promise.all([
      // Settings (and the identity beside them) in folders of the test's own, so an app started again is the same device.
      startEngineApp(lab.host('alice'), { deviceName: 'Alice', signalingUrl: url, downloadDir: mkdtempSync(join(root, 'alice-')), settingsFile: join(mkdtempSync(join(root, 'alice-settings-')), 'settings.json') }),
      startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: url, downloadDir: mkdtempSync(join(root, 'bob-')), settingsFile: join(mkdtempSync(join(root, 'bob-settings-')), 'settings.json') }),
    ]);
    const signalingId = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
    [aliceId, bobId] = await Promise.all([alice.waitFor('alice signaling', signalingId, 45_000), bob.waitFor('bob signaling', signalingId, 45_000)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([alice?.kill(), bob?.kill()]);
    await front?.dispose();
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('two apps on different nodes pair by code, connect, authenticate and transfer byte-identical', { timeout: 180_000 }, async () => {
    expect(await holder(aliceId)).toBe('n1');
    expect(await holder(bobId)).toBe('n2');
    // Pairing: Bob shows a code (his pairing slot registers on n2), Alice types it (from n1).
    await bob.command('showPairingCode');
    const code = await bob.waitFor('a pairing code', (s) => (s.pairing?.kind === 'showing' ? s.pairing.code : undefined), 30_000);
    await alice.command('enterPairingCode', code);
    const [aliceSide, bobSide] = await Promise.all([
      alice.waitFor('alice paired', (s) => (s.pairing?.kind === 'paired' ? s.pairing : undefined), 60_000),
      bob.waitFor('bob paired', (s) => (s.pairing?.kind === 'paired' ? s.pairing : undefined), 60_000),
    ]);
    expect(aliceSide.peerId).toBe(bobId);
    expect(bobSide.peerId).toBe(aliceId);
    expect(aliceSide.sas).toEqual(bobSide.sas);

    await connectLink(alice, bobId, 'alice → bob across nodes');
    // The session authenticated both keys (each side shows the other's key words).
    expect((await alice.snapshot()).conversations.find((c) => c.peerId === bobId)?.keyWords).toEqual(expect.arrayContaining([expect.any(String)]));
    const file = join(root, 'across.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024 + 17));
    await alice.pick([file]);
    await alice.command('sendPaths', bobId, [file]);
    const row = await bob.waitFor('bob received', doneRow(aliceId, 'in', 'across.bin'), 90_000);
    expect(row.state).toBe('done');
    expect(sha(join(bob.downloadDir, 'across.bin'))).toBe(sha(file));
  });

  it('/status on a node shows the cluster next to it, node names as text', { timeout: 90_000 }, async () => {
    // A report planted in Redis under a hostile name: the page must show it as text, nothing more.
    const hostile = '<img src=x onerror=alert(1)>';
    const report = JSON.stringify({ node: hostile, peers: 7, startedAt: Date.now() - 90_000, version: '9.9.9' });
    const redisCli = (...args: string[]) => lab.host('redis').spawn('redis-cli', 'redis-cli', ['-u', redis.url, ...args]).exited;
    await redisCli('SET', `ferry:node:${hostile}`, report, 'PX', '60000');
    await redisCli('ZADD', 'ferry:nodes', String(Date.now() + 60_000), hostile);
    const browser = await launchChromium(lab.host('probe2'));
    try {
      const page = await browser.newPage();
      await page.goto(`http://${lab.host('n2').address}:${PORT}/status`);
      const rows = page.locator('#cluster-nodes tr');
      await expect.poll(async () => (await rows.allTextContents()).length, { timeout: 20_000 }).toBe(4);
      const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(0, 3).map((td) => td.textContent)));
      expect(cells).toEqual(expect.arrayContaining([[hostile, '', '7'], ['n1', '', expect.stringMatching(/^[12]$/)], ['n2', 'this node', expect.stringMatching(/^[12]$/)], ['n3', '', '0']]));
      expect(await page.locator('#cluster img').count()).toBe(0);
      expect(await page.locator('#cluster-redis').textContent()).toBe('Redis up');
    } finally {
      await browser.close();
      await redisCli('DEL', `ferry:node:${hostile}`);
      await redisCli('ZREM', 'ferry:nodes', hostile);
    }
  });

  it('refuses an id held on one node to another client on another node', { timeout: 60_000 }, async () => {
    // Bob's id (held on n2) asked for on n3 by the stock PeerJS client, with its own token.
    const squatter = peerjsPeer(lab.host('probe1'), 'squatter', { url: `http://${lab.host('n3').address}:${PORT}/`, id: bobId });
    const line = await squatter.waitForLine(/"event"/, 30_000);
    expect(JSON.parse(line)).toMatchObject({ event: 'error', type: 'unavailable-id' });
    await squatter.stop();
    expect(await holder(bobId)).toBe('n2');
  });

  it('a node killed under its clients: they register on another node and the pair connects again', { timeout: 180_000 }, async () => {
    // A client that registered on n1 directly and will not come back elsewhere.
    const orphanId = 'ferry-orphanonnodeone2';
    const orphan = peerjsPeer(lab.host('probe1'), 'orphan', { url: `http://${lab.host('n1').address}:${PORT}/`, id: orphanId });
    await orphan.waitForLine(/"event":"open"/, 30_000);
    expect(await holder(orphanId)).toBe('n1');
    const n1 = nodes.get('n1') as { process: TrackedProcess };
    n1.process.child.kill('SIGKILL');
    await n1.process.exited;
    await orphan.stop();
    // Alice's app notices, comes back through nginx on n3 with its own token, and takes its id over.
    await holderBecomes(aliceId, 'n3', 90_000);
    await alice.waitFor('alice signaling again', (s) => (s.signaling?.kind === 'connected' ? true : undefined), 60_000);
    // Their link is peer to peer and outlives n1; Bob's app restarting ends it, so they must meet anew.
    // The restarted side dials and sends: the other may still show the dead link as open for a few seconds.
    bob = await restarted(bob, 'Bob');
    await connectLink(bob, aliceId, 'bob (n2) → alice (n3) after n1 died');
    const file = join(root, 'after-kill.txt');
    writeFileSync(file, 'n1 is gone\n');
    await bob.pick([file]);
    await bob.command('sendPaths', aliceId, [file]);
    expect((await alice.waitFor('alice received', doneRow(bobId, 'in', 'after-kill.txt'), 60_000)).state).toBe('done');
    expect(readFileSync(join(alice.downloadDir, 'after-kill.txt'), 'utf8')).toBe('n1 is gone\n');
    // The dead node's ids nobody took over are free again within the alive timeout (20 s here).
    await holderBecomes(orphanId, '', 30_000);
  });

  it('Redis restarted mid-run: the nodes restore their registrations and a new connection across nodes works', { timeout: 180_000 }, async () => {
    await redis.restart();
    // The new Redis is empty: each node puts back what it holds.
    await holderBecomes(aliceId, 'n3', 30_000);
    await holderBecomes(bobId, 'n2', 30_000);
    // A new connection between apps on two nodes (Alice's app restarts: their link ends)…
    alice = await restarted(alice, 'Alice');
    await holderBecomes(aliceId, 'n3', 30_000);
    await connectLink(alice, bobId, 'alice → bob after the Redis restart');
    await alice.command('sendText', bobId, 'redis came back');
    await bob.waitFor('the message', (s) => (s.conversations.find((c) => c.peerId === aliceId)?.lines.some((line) => line.body === 'redis came back') ? true : undefined), 30_000);
    // …and between two stock PeerJS clients, one on n2 and one on n3.
    const idA = 'ferry-clusterprobeaaaa';
    const idB = 'ferry-clusterprobebbbb';
    const listener = peerjsPeer(lab.host('probe1'), 'peerjs-b', { url: `http://${lab.host('n3').address}:${PORT}/`, id: idB });
    await listener.waitForLine(/"event":"open"/, 30_000);
    const dialer = peerjsPeer(lab.host('probe2'), 'peerjs-a', { url: `http://${lab.host('n2').address}:${PORT}/`, id: idA, connectTo: idB });
    const echo = await dialer.waitForLine(/"event":"data"/, 45_000);
    expect(JSON.parse(echo)).toEqual({ event: 'data', data: 'echo:hello across nodes' });
    await Promise.all([listener.stop(), dialer.stop()]);
  });
});
