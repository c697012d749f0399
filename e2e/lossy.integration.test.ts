import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { canUseNetns } from './lab/netns.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * Twenty files at a time over a bad network: the two lab hosts reach each other only through an
 * impaired link (a userspace TUN forwarder: 5 % loss, 20 ms delay each way, 5 ms jitter), the
 * signaling server on the bridge. Twenty runs, twenty byte-identical results, nothing left over.
 */

const RUNS = Number(process.env.FERRY_LOSSY_RUNS ?? 20);
const FILES = 20;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const rowOf = (s: EngineSnapshot, peerId: string, title: string): TransferRow | undefined =>
  s.conversations.find((c) => c.peerId === peerId)?.transfers.find((t) => t.title === title);

describe.skipIf(!canUseNetns())('a lossy link (5 % loss, 20 ms each way, jitter): 20 files, 20 times', () => {
  let lab: Lab;
  let root: string;
  let alice: EngineApp;
  let bob: EngineApp;
  const ids = { alice: '', bob: '' };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-lossy-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    await lab.addImpairedLink('alice', 'bob', { delayMs: 20, jitterMs: 5, loss: 0.05, udpOnlyHere: true });
    const signal = await startSignalHost(lab.host('signal'));
    for (const side of ['alice', 'bob']) mkdirSync(join(root, `${side}-downloads`));
    const startSide = (side: 'alice' | 'bob') =>
      startEngineApp(lab.host(side), { deviceName: side === 'alice' ? 'Alice' : 'Bob', signalingUrl: signal.url, downloadDir: join(root, `${side}-downloads`), settingsFile: join(root, `${side}-settings.json`) });
    [alice, bob] = await Promise.all([startSide('alice'), startSide('bob')]);
    const connected = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
    [ids.alice, ids.bob] = await Promise.all([alice.waitFor('signaling', connected, 60_000), bob.waitFor('signaling', connected, 60_000)]);
    await alice.command('connectTo', ids.bob);
    await bob.waitFor('the link', (s) => (s.conversations.find((c) => c.peerId === ids.alice)?.state === 'open' ? true : undefined), 60_000);
  }, 180_000);

  afterAll(async () => {
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(`${RUNS} runs of ${FILES} files arrive byte-identical`, async () => {
    const results: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const folder = join(root, `run-${run}`);
      mkdirSync(folder);
      const sent = new Map<string, string>();
      for (let f = 0; f < FILES; f++) {
        // From nothing to 200 KiB: one empty file, the rest many chunks and blocks' ends.
        const bytes = randomBytes(f === 0 ? 0 : Math.floor(Math.random() * 200 * 1024));
        writeFileSync(join(folder, `file-${f}.bin`), bytes);
        sent.set(`file-${f}.bin`, sha256(bytes));
      }
      const title = `run-${run} (${FILES} files)`;
      await alice.pick([folder]);
      await alice.command('sendPaths', ids.bob, [folder]);
      const offered = await bob.waitFor(`run ${run}'s offer`, (s) => {
        const row = rowOf(s, ids.alice, title);
        return row?.state === 'offered' ? row : undefined;
      });
      await bob.command('acceptTransfer', ids.alice, offered.key, {});
      const row = await bob.waitFor(`run ${run} to end`, (s) => {
        const r = rowOf(s, ids.alice, title);
        return r && ['done', 'failed', 'cancelled', 'declined'].includes(r.state) ? r : undefined;
      }, 120_000);
      expect(row, row.error).toMatchObject({ state: 'done' });
      const landed = join(root, 'bob-downloads', `run-${run}`);
      const got = new Map(readdirSync(landed).map((name) => [name, sha256(readFileSync(join(landed, name)))]));
      expect(got).toEqual(sent);
      results.push(`run ${run}: ${row.state}`);
    }
    expect(results).toHaveLength(RUNS);
    expect(readdirSync(join(root, 'bob-downloads')).filter((n) => n.startsWith('.ferry-'))).toEqual([]);
  }, 900_000);
});
