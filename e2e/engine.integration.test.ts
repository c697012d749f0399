import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, EngineSnapshot } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * Two Ferry devices with no window: main's services and the engine in its own Node process on
 * node-datachannel, each on its own lab host, a real signaling server on a third. The test is the
 * view: it sends the engine commands over its port and reads the snapshots the engine pushes.
 */

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);

describe('the engine in Node, on node-datachannel, driven over its port', () => {
  let lab: Lab;
  let alice: EngineApp;
  let bob: EngineApp;
  let aliceId: string;
  let bobId: string;
  let sources: string;

  beforeAll(async () => {
    sources = mkdtempSync(join(tmpdir(), 'ferry-engine-sources-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    [alice, bob] = await Promise.all([
      startEngineApp(lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url }),
      startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url }),
    ]);
    const connected = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
    [aliceId, bobId] = await Promise.all([alice.waitFor('signaling', connected), bob.waitFor('signaling', connected)]);
  });

  afterAll(async () => {
    await lab?.dispose();
    rmSync(sources, { recursive: true, force: true });
  });

  const withLogs = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      throw new Error(`${(error as Error).message}\nalice:\n${alice.main.log.slice(-6000)}\nbob:\n${bob.main.log.slice(-6000)}`, { cause: error });
    }
  };

  it('connects, authenticates both keys, and exchanges a message', () =>
    withLogs(async () => {
      await alice.command('connectTo', bobId);
      await Promise.all([
        alice.waitFor('the link to Bob', (s) => (conversationWith(s, bobId)?.state === 'open' ? true : undefined)),
        bob.waitFor('the link from Alice', (s) => (conversationWith(s, aliceId)?.state === 'open' ? true : undefined)),
      ]);
      const aliceSide = conversationWith(await alice.snapshot(), bobId);
      expect(aliceSide?.peerName).toBe('Bob');
      expect(aliceSide?.path).toBe('direct');
      await alice.command('sendText', bobId, 'über node-datachannel');
      const line = await bob.waitFor('the message', (s) => conversationWith(s, aliceId)?.lines.find((l) => l.direction === 'in'));
      expect(line.body).toBe('über node-datachannel');
      await alice.waitFor('delivery', (s) => (conversationWith(s, bobId)?.lines.some((l) => l.delivery === 'delivered') ? true : undefined));
    }));

  it('sends a 48 MiB file and a folder by path; Bob accepts; both land byte-identical', () =>
    withLogs(async () => {
      const big = join(sources, 'big.bin');
      writeFileSync(big, randomBytes(48 * 1024 * 1024));
      // Only what a person picked or dropped: main grants it, the engine sends nothing else.
      await expect(alice.command('sendPaths', bobId, [big])).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringMatching(/picked or dropped/) });
      await alice.pick([big]);
      await alice.command('sendPaths', bobId, [big]);
      const offered = await bob.waitFor('the offer', (s) => conversationWith(s, aliceId)?.transfers.find((t) => t.state === 'offered' && t.spaceProblem === undefined));
      expect(offered.title).toBe('big.bin');
      expect(offered.totalBytes).toBe(48 * 1024 * 1024);
      await bob.command('acceptTransfer', aliceId, offered.key, {});
      const done = (s: EngineSnapshot, peerId: string) => conversationWith(s, peerId)?.transfers.find((t) => t.title === 'big.bin' && (t.state === 'done' || t.state === 'failed'));
      const [sent, received] = await Promise.all([alice.waitFor('sent', (s) => done(s, bobId), 60_000), bob.waitFor('received', (s) => done(s, aliceId), 60_000)]);
      expect(sent.state).toBe('done');
      expect(received.state).toBe('done');
      expect(received.savedPaths).toEqual([join(bob.downloadDir, 'big.bin')]);
      expect(sha256(join(bob.downloadDir, 'big.bin'))).toBe(sha256(big));
      expect(readdirSync(bob.downloadDir).sort()).toEqual(['big.bin']);

      const album = join(sources, 'Album');
      mkdirSync(join(album, '2026', 'empty'), { recursive: true });
      writeFileSync(join(album, 'cover.jpg'), randomBytes(300_000));
      writeFileSync(join(album, '2026', 'a.raw'), randomBytes(5_000_000));
      await alice.pick([album]);
      await alice.command('sendPaths', bobId, [album]);
      const folder = await bob.waitFor('the folder offer', (s) => conversationWith(s, aliceId)?.transfers.find((t) => t.state === 'offered'));
      expect(folder.title).toBe('Album (2 files)');
      await bob.command('acceptTransfer', aliceId, folder.key, {});
      await bob.waitFor('the folder', (s) => (conversationWith(s, aliceId)?.transfers.find((t) => t.key === folder.key)?.state === 'done' ? true : undefined));
      for (const file of ['cover.jpg', '2026/a.raw']) expect(sha256(join(bob.downloadDir, 'Album', file))).toBe(sha256(join(album, file)));
      expect(readdirSync(join(bob.downloadDir, 'Album', '2026')).sort()).toEqual(['a.raw', 'empty']);
    }));

  it('refuses bad commands in words, and stays usable', () =>
    withLogs(async () => {
      await expect(alice.command('connectTo', 'not an id')).rejects.toMatchObject({ code: 'PEER_ID_INVALID' });
      await alice.pick([join(sources, 'missing.bin')]);
      await expect(alice.command('sendPaths', bobId, [join(sources, 'missing.bin')])).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: '“missing.bin” cannot be sent: no such file or folder (moved or deleted?).' });
      await expect(alice.command('acceptTransfer', bobId, 'x'.repeat(65), {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await alice.command('sendText', bobId, 'still here');
      await bob.waitFor('the second message', (s) => conversationWith(s, aliceId)?.lines.find((l) => l.body === 'still here'));
    }));
});
