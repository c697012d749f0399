import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot, HistoryEntry } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * The transfers history: what ended, newest first, with who ended it and why, kept across a
 * restart of the device (main and engine killed, started again on the same settings), and
 * removable one by one or all at once.
 */

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const signalingPeer = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
const summary = (entries: HistoryEntry[]) => entries.map((e) => ({ title: e.title, state: e.state, endedBy: e.endedBy, error: e.error, direction: e.direction }));

describe('the transfers history, across a restart', () => {
  let lab: Lab;
  let root: string;
  let signalUrl: string;
  let alice: EngineApp;
  let bob: EngineApp;
  let aliceId: string;
  let bobId: string;

  const startBob = async () => {
    bob = await startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: signalUrl, settingsFile: join(root, 'bob-settings.json'), downloadDir: join(root, 'bob-downloads') });
    bobId = await bob.waitFor('signaling', signalingPeer);
  };

  /** Main writes the history after the engine changes it: a kill before that write would lose the change. */
  const onDisk = async (count: number) => {
    const file = join(root, 'bob-settings.json.history.json');
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { entries: unknown[] }).entries.length === count) return;
      } catch {
        // Not written yet, or mid-rename.
      }
      if (Date.now() > deadline) throw new Error(`${file} never held ${count} entries`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-history-'));
    mkdirSync(join(root, 'bob-downloads'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    signalUrl = (await startSignalHost(lab.host('signal'))).url;
    alice = await startEngineApp(lab.host('alice'), { deviceName: 'Alice', signalingUrl: signalUrl });
    aliceId = await alice.waitFor('signaling', signalingPeer);
    await startBob();
  });

  afterAll(async () => {
    await lab?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const withLogs = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      throw new Error(`${(error as Error).message}\nalice:\n${alice.log().slice(-6000)}\nbob:\n${bob.log().slice(-6000)}`, { cause: error });
    }
  };

  it('lists a received file and a cancel in each side’s words; a restarted device still has them; Remove and Clear stick', () =>
    withLogs(async () => {
      const kept = join(root, 'kept.bin');
      const dropped = join(root, 'dropped.bin');
      writeFileSync(kept, randomBytes(256 * 1024));
      writeFileSync(dropped, randomBytes(1024));
      await alice.pick([kept, dropped]);
      await alice.command('connectTo', bobId);
      await alice.waitFor('the link to Bob', (s) => (s.conversations.find((c) => c.peerId === bobId)?.state === 'open' ? true : undefined));

      await alice.command('sendPaths', bobId, [kept]);
      const offer = await bob.waitFor('the offer of kept.bin', (s) => s.conversations.find((c) => c.peerId === aliceId)?.transfers.find((t) => t.title === 'kept.bin' && t.state === 'offered'));
      await bob.command('acceptTransfer', aliceId, offer.key, {});
      await bob.waitFor('kept.bin in the history', (s) => s.history.find((e) => e.title === 'kept.bin'));
      expect(sha256(join(root, 'bob-downloads', 'kept.bin'))).toBe(sha256(kept));

      // Alice takes her offer back before Bob answers: hers is no error, his names her.
      await alice.command('sendPaths', bobId, [dropped]);
      const second = await alice.waitFor('the offer of dropped.bin', (s) => s.conversations.find((c) => c.peerId === bobId)?.transfers.find((t) => t.title === 'dropped.bin' && t.state === 'waiting'));
      await bob.waitFor('Bob is asked', (s) => s.conversations.find((c) => c.peerId === aliceId)?.transfers.find((t) => t.title === 'dropped.bin' && t.state === 'offered'));
      await alice.command('cancelTransfer', bobId, second.key);
      const bobHistory = await bob.waitFor('both in Bob’s history', (s) => (s.history.length === 2 ? s.history : undefined));
      const aliceHistory = await alice.waitFor('both in Alice’s history', (s) => (s.history.length === 2 ? s.history : undefined));
      expect(summary(aliceHistory)).toEqual([
        { title: 'dropped.bin', state: 'cancelled', endedBy: 'here', error: undefined, direction: 'out' },
        { title: 'kept.bin', state: 'done', endedBy: undefined, error: undefined, direction: 'out' },
      ]);
      expect(summary(bobHistory)).toEqual([
        { title: 'dropped.bin', state: 'cancelled', endedBy: 'there', error: 'Alice cancelled it.', direction: 'in' },
        { title: 'kept.bin', state: 'done', endedBy: undefined, error: undefined, direction: 'in' },
      ]);
      expect(bobHistory[1]).toMatchObject({ peerId: aliceId, peerName: 'Alice', fileCount: 1, totalBytes: 256 * 1024, savedPaths: [join(root, 'bob-downloads', 'kept.bin')] });

      // Killed (no goodbye) and started again on the same settings: the same history.
      await onDisk(2);
      await bob.kill();
      await startBob();
      expect((await bob.snapshot()).history).toEqual(bobHistory);

      await bob.command('removeHistoryEntry', bobHistory[0]?.id ?? '');
      await bob.waitFor('the entry removed', (s) => (s.history.length === 1 ? true : undefined));
      await onDisk(1);
      await bob.kill();
      await startBob();
      expect(summary((await bob.snapshot()).history)).toEqual([{ title: 'kept.bin', state: 'done', endedBy: undefined, error: undefined, direction: 'in' }]);

      await bob.command('clearHistory');
      await bob.waitFor('the history cleared', (s) => (s.history.length === 0 ? true : undefined));
      await onDisk(0);
      await bob.kill();
      await startBob();
      expect((await bob.snapshot()).history).toEqual([]);
      // The received file stays where it was: the history only forgets.
      expect(sha256(join(root, 'bob-downloads', 'kept.bin'))).toBe(sha256(kept));
    }));
});
