/*
 * npm run bench:resume -- [--size 256MiB] [--runs 3] [--json FILE]
 *
 * Resume, measured in the lab (two hosts, node-datachannel, the app's main + engine processes on
 * each, a real signaling server on a third): one uninterrupted transfer, then for each kind of
 * interruption — the receiver killed (SIGKILL) and restarted, the sender killed and restarted,
 * the receiver's network cut for 2 s — one transfer of the same size interrupted `runs` times at
 * random points. Per kind it prints the bytes sent again per interruption (what the sender had
 * sent minus what the receiver held when it resumed; target ≤ 8 MiB: one block plus what was in
 * flight), the time from both being back (the restarted engine connected to signaling, or the
 * network up) to bytes flowing again (p50, p95; target p95 ≤ 2 s), and the total time against
 * the uninterrupted transfer of the same run. Targets are reported, not asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { Lab } from '../e2e/lab/lab.js';
import { ip } from '../e2e/lab/netns.js';
import { type EngineApp, startEngineApp } from '../e2e/support/engine-app.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { parseSize } from './sizes.js';

type Side = 'alice' | 'bob';
type Kind = 'receiver kill' | 'sender kill' | 'link cut';
const KINDS: Kind[] = ['receiver kill', 'sender kill', 'link cut'];

const { values } = parseArgs({ options: { size: { type: 'string' }, runs: { type: 'string' }, json: { type: 'string' } } });
const SIZE = parseSize(values.size ?? '256MiB');
const RUNS = Number(values.runs ?? 3);

const rowOf = (s: EngineSnapshot, peerId: string, title: string): TransferRow | undefined => s.conversations.find((c) => c.peerId === peerId)?.transfers.find((t) => t.title === title);
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const root = mkdtempSync(join(tmpdir(), 'ferry-bench-resume-'));
const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
const devices: Partial<Record<Side, EngineApp>> = {};
const ids = { alice: '', bob: '' };
const other = (side: Side): Side => (side === 'alice' ? 'bob' : 'alice');
const app = (side: Side) => devices[side] as EngineApp;

async function start(side: Side, signalUrl: string): Promise<void> {
  devices[side] = await startEngineApp(lab.host(side), {
    deviceName: side === 'alice' ? 'Alice' : 'Bob',
    signalingUrl: signalUrl,
    settingsFile: join(root, `${side}-settings.json`),
    downloadDir: join(root, `${side}-downloads`),
  });
  ids[side] = await app(side).waitFor('signaling', (s) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined), 60_000);
}

async function link(): Promise<void> {
  if (rowOpen(await app('alice').snapshot())) return;
  await app('alice').command('connectTo', ids.bob);
  await app('alice').waitFor('the link', (s) => rowOpen(s));
}
const rowOpen = (s: EngineSnapshot) => (s.conversations.find((c) => c.peerId === ids.bob)?.state === 'open' ? true : undefined);

/** Alice offers a fresh file to Bob, who accepts; resolves once it is under way. */
async function offer(title: string): Promise<void> {
  const path = join(root, title);
  writeFileSync(path, randomBytes(SIZE));
  await app('alice').pick([path]);
  await app('alice').command('sendPaths', ids.bob, [path]);
  const offered = await app('bob').waitFor('the offer', (s) => {
    const row = rowOf(s, ids.alice, title);
    return row?.state === 'offered' ? row : undefined;
  });
  await app('bob').command('acceptTransfer', ids.alice, offered.key, {});
}

const done = (side: Side, title: string, timeoutMs: number) =>
  app(side).waitFor(`${title} done`, (s) => (rowOf(s, ids[other(side)], title)?.state === 'done' ? true : undefined), timeoutMs);

interface KindResult {
  kind: Kind;
  interruptions: number;
  resentBytes: number[];
  flowingAgainMs: number[];
  totalMs: number;
}

async function interrupted(kind: Kind, signalUrl: string): Promise<KindResult> {
  const victim: Side = kind === 'sender kill' ? 'alice' : 'bob';
  const survivor = other(victim);
  const title = `${kind.replace(' ', '-')}.bin`;
  await link();
  const began = Date.now();
  await offer(title);
  const resentBytes: number[] = [];
  const flowingAgainMs: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const at = (SIZE * (i - 0.5 + Math.random() * 0.5)) / (RUNS + 1);
    // What the sender had sent at the moment of the cut (its row, polled just before).
    let sentAtCut = 0;
    await app('alice').waitFor('the interruption point', (s) => {
      const row = rowOf(s, ids.bob, title);
      sentAtCut = row?.bytesDone ?? 0;
      return row?.state === 'active' && row.bytesDone >= at ? true : undefined;
    }, 300_000);
    if (kind === 'link cut') ip(['-n', lab.host('bob').netns as string, 'link', 'set', 'eth0', 'down']);
    else await app(victim).kill();
    await app(survivor).waitFor('interrupted', (s) => (rowOf(s, ids[victim], title)?.state === 'interrupted' ? true : undefined), 30_000);
    if (kind !== 'sender kill') sentAtCut = (rowOf(await app('alice').snapshot(), ids.bob, title)?.bytesDone ?? sentAtCut);
    let backAt: number;
    if (kind === 'link cut') {
      await new Promise((r) => setTimeout(r, 2_000));
      ip(['-n', lab.host('bob').netns as string, 'link', 'set', 'eth0', 'up']);
      backAt = Date.now();
    } else {
      await start(victim, signalUrl);
      backAt = Date.now();
    }
    // The receiver's row turns active again holding what it kept; bytes flow once it grows.
    let held = -1;
    await app('bob').waitFor('bytes flowing again', (s) => {
      const row = rowOf(s, ids.alice, title);
      if (row?.state !== 'active') return undefined;
      if (held < 0) held = row.bytesDone;
      return row.bytesDone > held ? true : undefined;
    }, 120_000);
    flowingAgainMs.push(Date.now() - backAt);
    resentBytes.push(Math.max(0, sentAtCut - held));
    console.log(`  ${kind} ${i}/${RUNS} at ${mib(at)} MiB: sender had sent ${mib(sentAtCut)} MiB, receiver held ${mib(held)} MiB; bytes again ${Date.now() - backAt} ms after both were back`);
  }
  await Promise.all([done('alice', title, 600_000), done('bob', title, 600_000)]);
  return { kind, interruptions: RUNS, resentBytes, flowingAgainMs, totalMs: Date.now() - began };
}

try {
  for (const side of ['alice', 'bob']) mkdirSync(join(root, `${side}-downloads`));
  const signalUrl = (await startSignalHost(lab.host('signal'))).url;
  await Promise.all([start('alice', signalUrl), start('bob', signalUrl)]);
  await link();
  const began = Date.now();
  await offer('uninterrupted.bin');
  await Promise.all([done('alice', 'uninterrupted.bin', 600_000), done('bob', 'uninterrupted.bin', 600_000)]);
  const uninterruptedMs = Date.now() - began;
  console.log(`uninterrupted ${mib(SIZE)} MiB: ${(uninterruptedMs / 1000).toFixed(1)} s`);
  const results: KindResult[] = [];
  for (const kind of KINDS) {
    console.log(`${kind} × ${RUNS}:`);
    results.push(await interrupted(kind, signalUrl));
  }
  console.log('\n| kind | interruptions | bytes sent again per interruption (mean / max) | bytes flowing again after both are back (p50 / p95) | total vs uninterrupted |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    const mean = r.resentBytes.reduce((a, b) => a + b, 0) / r.resentBytes.length;
    console.log(`| ${r.kind} | ${r.interruptions} | ${mib(mean)} / ${mib(Math.max(...r.resentBytes))} MiB (target ≤ 8) | ${percentile(r.flowingAgainMs, 50)} / ${percentile(r.flowingAgainMs, 95)} ms (target p95 ≤ 2000) | ${(r.totalMs / 1000).toFixed(1)} s vs ${(uninterruptedMs / 1000).toFixed(1)} s |`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ size: SIZE, runs: RUNS, uninterruptedMs, results }, null, 2)}\n`);
} finally {
  await lab.dispose();
  rmSync(root, { recursive: true, force: true });
}
