import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { canUseNetns, ip } from './lab/netns.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * A device that dies mid-transfer (SIGKILL: main and engine, no goodbye) or whose network is cut
 * is noticed by the other within 10 s, in words; the transfer resumes by itself when the two meet
 * again (the restarted device is the same identity) and ends byte-identical; the survivor, never
 * restarted, then exchanges new files with it. Two lab hosts, node-datachannel on both, a real
 * signaling server on a third.
 */

const BIG = 256 * 1024 * 1024;
/** Interruptions of each kind per run: three in CI, ten with FERRY_RESUME_RUNS=10 (the full run). */
const RUNS = Number(process.env.FERRY_RESUME_RUNS ?? 3);
const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);
const rowOf = (snapshot: EngineSnapshot, peerId: string, title: string): TransferRow | undefined => conversationWith(snapshot, peerId)?.transfers.find((t) => t.title === title);
const finished = (row: TransferRow | undefined) => (row && ['done', 'failed', 'cancelled', 'declined'].includes(row.state) ? row : undefined);

describe.skipIf(!canUseNetns())('interrupted and resumed: a device killed or cut off mid-transfer is noticed within 10 s, and the transfer resumes', () => {
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

  /** Takes `victim` away: its processes killed (SIGKILL), or its host's network cut. */
  const interrupt = async (kind: 'kill' | 'cut', victim: 'alice' | 'bob') => {
    if (kind === 'kill') return app(victim).kill();
    ip(['-n', lab.host(victim).netns as string, 'link', 'set', 'eth0', 'down']);
  };
  /** Brings `victim` back: started again (the same device), or its network restored. */
  const restore = async (kind: 'kill' | 'cut', victim: 'alice' | 'bob') => {
    if (kind === 'kill') return void (await start(victim));
    await new Promise((r) => setTimeout(r, 2_000)); // a few seconds without a network
    ip(['-n', lab.host(victim).netns as string, 'link', 'set', 'eth0', 'up']);
  };

  /**
   * Alice sends 256 MiB to Bob; `victim` is interrupted `times` times at moments spread over the
   * transfer (a little random), each noticed by the survivor within 10 s and brought back; the
   * transfer resumes by itself each time and ends byte-identical, with nothing left over. Then
   * the survivor, never restarted, and the victim exchange a new file each way.
   */
  const interruptRepeatedly = (kind: 'kill' | 'cut', victim: 'alice' | 'bob', times: number) =>
    withLogs(async () => {
      const survivor = other(victim);
      await link('alice');
      const title = `big-${kind}-${victim}.bin`;
      const source = await offer('alice', title, BIG);
      for (let i = 1; i <= times; i++) {
        const at = (BIG * (i - 0.5 + Math.random() * 0.5)) / (times + 1);
        await app(survivor).waitFor(`${Math.round(at / 2 ** 20)} MiB`, (s) => {
          const row = rowOf(s, ids[victim], title);
          return row && row.state === 'active' && row.bytesDone >= at ? true : undefined;
        }, 120_000);
        await interrupt(kind, victim);
        const cutAt = Date.now();
        const row = await app(survivor).waitFor('the survivor to notice', (s) => (rowOf(s, ids[victim], title)?.state === 'interrupted' ? rowOf(s, ids[victim], title) : undefined), 15_000);
        const noticedMs = Date.now() - cutAt;
        console.log(`${kind} ${i}/${times} of ${victim} at ${Math.round(at / 2 ** 20)} MiB: ${survivor} said "${row.state}" after ${noticedMs} ms — ${row.error ?? ''}`);
        expect(noticedMs).toBeLessThan(10_000);
        expect(row.error).toMatch(/stopped answering|closed/);
        // Nothing partial under the final name, on the receiver's disk.
        expect(readdirSync(join(root, 'bob-downloads'))).not.toContain(title);
        await restore(kind, victim);
      }
      const [sent, got] = await Promise.all([
        app('alice').waitFor('the resumed transfer to finish', (s) => finished(rowOf(s, ids.bob, title)), 180_000),
        app('bob').waitFor('the resumed transfer to finish', (s) => finished(rowOf(s, ids.alice, title)), 180_000),
      ]);
      expect([sent.state, got.state]).toEqual(['done', 'done']);
      expect(readFileSync(join(root, 'bob-downloads', title)).equals(readFileSync(source))).toBe(true);
      expect(readdirSync(join(root, 'bob-downloads')).filter((n) => n.startsWith('.ferry-'))).toEqual([]);
      // The survivor, never restarted, exchanges new files with the victim, each way.
      const open = (s: EngineSnapshot) => (conversationWith(s, ids[victim])?.state === 'open' ? true : undefined);
      if (!open(await app(survivor).snapshot())) await link(survivor);
      for (const from of [survivor, victim] as const) {
        const name = `after-${kind}-${victim}-from-${from}.bin`;
        const path = await offer(from, name, 3 * 1024 * 1024 + 7);
        await app(other(from)).waitFor(`${name} to arrive`, (s) => (rowOf(s, ids[from], name)?.state === 'done' ? true : undefined), 60_000);
        expect(readFileSync(join(root, `${other(from)}-downloads`, name)).equals(readFileSync(path))).toBe(true);
      }
    });

  it(`the receiver is killed ${RUNS} times (SIGKILL, random moments) and restarted: each time the sender says so within 10 s, and the file ends identical`, () => interruptRepeatedly('kill', 'bob', RUNS), 600_000);

  it(`the sender is killed ${RUNS} times and restarted: each time the receiver says so within 10 s, and the file ends identical`, () => interruptRepeatedly('kill', 'alice', RUNS), 600_000);

  it(`the receiver's network is cut ${RUNS} times for a few seconds: each time both say so within 10 s, and the file ends identical`, () => interruptRepeatedly('cut', 'bob', RUNS), 600_000);
});
