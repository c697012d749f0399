import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * A device that dies mid-transfer (SIGKILL: main and engine, no goodbye) is noticed by the other
 * within 10 s, in words, and the survivor stays usable: the restarted device (same identity) and
 * the survivor exchange a new file without the survivor being restarted. Two lab hosts,
 * node-datachannel on both, a real signaling server on a third.
 */

const BIG = 256 * 1024 * 1024;
const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);
const rowOf = (snapshot: EngineSnapshot, peerId: string, title: string): TransferRow | undefined => conversationWith(snapshot, peerId)?.transfers.find((t) => t.title === title);
const finished = (row: TransferRow | undefined) => (row && ['done', 'failed', 'cancelled', 'declined'].includes(row.state) ? row : undefined);
const ended = (row: TransferRow | undefined) => (row && row.state !== 'offered' && row.state !== 'active' && row.state !== 'waiting' ? row : undefined);

describe('liveness: a device killed mid-transfer is noticed within 10 s, and the survivor goes on', () => {
  let lab: Lab;
  let root: string;
  let signalUrl: string;
  const devices: Record<'alice' | 'bob', EngineApp | undefined> = { alice: undefined, bob: undefined };
  const ids = { alice: '', bob: '' };
  const app = (side: 'alice' | 'bob') => devices[side] as EngineApp;
  const other = (side: 'alice' | 'bob') => (side === 'alice' ? 'bob' : 'alice');

  const start = async (side: 'alice' | 'bob') => {
    const device = await startEngineApp(lab.host(side), {
      deviceName: side === 'alice' ? 'Alice' : 'Bob',
      signalingUrl: signalUrl,
      settingsFile: join(root, `${side}-settings.json`),
      downloadDir: join(root, `${side}-downloads`),
    });
    devices[side] = device;
    ids[side] = await device.waitFor('signaling', (s) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined), 60_000);
    return device;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-liveness-'));
    for (const side of ['alice', 'bob']) mkdirSync(join(root, `${side}-downloads`));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    signalUrl = (await startSignalHost(lab.host('signal'))).url;
    await Promise.all([start('alice'), start('bob')]);
  }, 120_000);

  afterAll(async () => {
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const withLogs = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      const logs = (['alice', 'bob'] as const).map((side) => `\n--- ${side}:\n${devices[side]?.log().slice(-5000)}`).join('');
      throw new Error(`${(error as Error).message}${logs}`, { cause: error });
    }
  };

  const link = async (from: 'alice' | 'bob') => {
    const to = other(from);
    await app(from).command('connectTo', ids[to]);
    await Promise.all([
      app(from).waitFor('the link', (s) => (conversationWith(s, ids[to])?.state === 'open' ? true : undefined)),
      app(to).waitFor('the link', (s) => (conversationWith(s, ids[from])?.state === 'open' ? true : undefined)),
    ]);
  };

  /** `from` offers a fresh file of `bytes` to the other, who accepts; resolves with its name. */
  const offer = async (from: 'alice' | 'bob', name: string, bytes: number) => {
    const to = other(from);
    const path = join(root, name);
    writeFileSync(path, randomBytes(bytes));
    await app(from).pick([path]);
    await app(from).command('sendPaths', ids[to], [path]);
    const offered = await app(to).waitFor(`the offer of ${name}`, (s) => {
      const row = rowOf(s, ids[from], name);
      return row?.state === 'offered' ? row : undefined;
    });
    await app(to).command('acceptTransfer', ids[from], offered.key, {});
    return path;
  };

  const killMidTransfer = (victim: 'alice' | 'bob') =>
    withLogs(async () => {
      const survivor = other(victim);
      const sender = 'alice';
      await link(sender);
      const title = `big-${victim}.bin`;
      const source = await offer(sender, title, BIG);
      // Well under way, then the victim dies at once.
      await app(survivor).waitFor('a quarter of the file', (s) => {
        const row = rowOf(s, ids[victim], title);
        return row && row.bytesDone > BIG / 4 ? true : undefined;
      }, 60_000);
      await app(victim).kill();
      const killedAt = Date.now();
      const row = await app(survivor).waitFor('the survivor to notice', (s) => ended(rowOf(s, ids[victim], title)), 15_000);
      const noticedMs = Date.now() - killedAt;
      console.log(`${survivor} noticed ${victim}'s death after ${noticedMs} ms: ${row.state} — ${row.error ?? ''}`);
      expect(noticedMs).toBeLessThan(10_000);
      expect(row.state).toBe('interrupted');
      expect(row.error).toMatch(/stopped answering/);
      expect(conversationWith(await app(survivor).snapshot(), ids[victim])?.state).not.toBe('open');
      // Nothing partial under the final name, on the receiver's disk.
      expect(readdirSync(join(root, 'bob-downloads'))).not.toContain(title);

      // The victim starts again (the same device) and the two meet again by themselves.
      await start(victim);
      if (victim === 'bob') {
        // The receiver came back: the sender offers it again, and it resumes where it stopped.
        const [sent, got] = await Promise.all([
          app('alice').waitFor('the resumed transfer to finish', (s) => finished(rowOf(s, ids.bob, title)), 120_000),
          app('bob').waitFor('the resumed transfer to finish', (s) => finished(rowOf(s, ids.alice, title)), 120_000),
        ]);
        expect([sent.state, got.state]).toEqual(['done', 'done']);
        expect(readFileSync(join(root, 'bob-downloads', title)).equals(readFileSync(source))).toBe(true);
      } else {
        // The restarted sender does not remember what it was sending yet: the receiver keeps
        // what it has, "Paused — waiting for Alice" (remembered across a sender restart: next).
        expect(rowOf(await app('bob').snapshot(), ids.alice, title)?.state).toBe('interrupted');
      }
      // The survivor, never restarted, exchanges new files with the restarted device, each way.
      const open = (s: EngineSnapshot) => (conversationWith(s, ids[victim])?.state === 'open' ? true : undefined);
      if (!open(await app(survivor).snapshot())) await link(survivor);
      for (const from of [survivor, victim] as const) {
        const name = `after-${victim}-from-${from}.bin`;
        const path = await offer(from, name, 3 * 1024 * 1024 + 7);
        await app(other(from)).waitFor(`${name} to arrive`, (s) => (rowOf(s, ids[from], name)?.state === 'done' ? true : undefined), 60_000);
        expect(readFileSync(join(root, `${other(from)}-downloads`, name)).equals(readFileSync(path))).toBe(true);
      }
    });

  it('the receiver is killed: the sender says so within 10 s; restarted, the receiver gets the rest of the file, then a new one each way', () => killMidTransfer('bob'), 300_000);

  it('the sender is killed: the receiver says so within 10 s and keeps what it has; then the two exchange files', () => killMidTransfer('alice'), 300_000);
});
