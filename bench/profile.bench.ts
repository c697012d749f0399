/*
 * npm run bench:profile -- [--size 256MiB]
 *
 * Where Ferry's CPU goes: one transfer through the UI between two lab hosts, with each side's
 * CPU split by process (Chromium's browser, renderer, network and GPU processes, main's
 * services) and the renderers' JavaScript profiled (self time by function). Numbers to read, not
 * assertions.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/lab/chromium.js';
import { Lab } from '../e2e/lab/lab.js';
import { pidsIn } from '../e2e/lab/netns.js';
import { DEFAULT_CHUNK_BYTES } from '../src-core/index.js';
import { measureCeiling } from './ceiling.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { acceptAndWait, connectFerryPair, offerFile } from '../e2e/support/ferry-pair.js';
import { cpuSecondsOfPid } from './pss.js';
import { parseSize, writeRandomFile } from './sizes.js';

/** A process's role, from its command line (Chromium rewrites its own into one string). */
function roleOf(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    const type = /--type=(\S+)/.exec(cmdline)?.[1];
    const service = /--utility-sub-type=(\S+)/.exec(cmdline)?.[1];
    if (type) return service ? `${type} (${service})` : type;
    if (/main-host/.test(cmdline)) return 'main services (node)';
    if (/crashpad/.test(cmdline)) return 'crashpad';
    return /chrom/.test(cmdline) ? 'browser' : (cmdline.split(' ')[0]?.split('/').at(-1) ?? '?');
  } catch {
    return 'gone';
  }
}

function cpuByRole(netns: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of pidsIn(netns)) out.set(roleOf(pid), (out.get(roleOf(pid)) ?? 0) + cpuSecondsOfPid(pid));
  return out;
}

/** Cores each role kept busy between two snapshots, busiest first. */
function busy(before: Map<string, number>, after: Map<string, number>, seconds: number): Array<{ role: string; coresBusy: number }> {
  return [...after.entries()]
    .map(([role, cpu]) => ({ role, coresBusy: Math.round(((cpu - (before.get(role) ?? 0)) / seconds) * 100) / 100 }))
    .filter((row) => row.coresBusy > 0)
    .sort((a, b) => b.coresBusy - a.coresBusy);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function startProfile(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } };
    const total = profile.samples.length;
    const self = new Map<string, number>();
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame;
      const key = `${functionName || '(anonymous)'} ${url ? `${url.split('/').at(-1)}:${lineNumber + 1}` : ''}`.trim();
      self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    }
    return [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, hits]) => ({ function: fn, selfPercent: Math.round((hits / total) * 1000) / 10 }));
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '256MiB' } } });
  const sizeBytes = parseSize(values.size as string);
  const root = mkdtempSync(join(tmpdir(), 'ferry-profile-'));
  const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  const browsers: Browser[] = [];
  const deadline = setTimeout(() => {
    console.error('profiling took longer than 20 minutes; stopping');
    process.exit(1);
  }, 20 * 60 * 1000);
  try {
    const signal = await startSignalHost(lab.host('signal'));
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(alice, bob);
    const netns = { sender: lab.host('alice').netns as string, receiver: lab.host('bob').netns as string };
    // The raw blast first, with its CPU per side: the cost per megabyte to compare Ferry with.
    const [blastA, blastB] = await Promise.all([alice.newPage(), bob.newPage()]);
    const ceilingBefore = { sender: cpuByRole(netns.sender), receiver: cpuByRole(netns.receiver) };
    const ceilingStarted = performance.now();
    const ceilingMBps = await measureCeiling(blastA, blastB, sizeBytes, DEFAULT_CHUNK_BYTES + 17);
    const ceilingSeconds = (performance.now() - ceilingStarted) / 1000;
    const ceilingAfter = { sender: cpuByRole(netns.sender), receiver: cpuByRole(netns.receiver) };
    await Promise.all([blastA.close(), blastB.close()]);
    console.log(`raw DataChannel blast: ${Math.round(ceilingMBps * 10) / 10} MB/s`);
    for (const side of ['sender', 'receiver'] as const) {
      console.log(`${side} (blast): CPU by process (cores busy)`);
      console.table(busy(ceilingBefore[side], ceilingAfter[side], ceilingSeconds));
    }

    const pair = await connectFerryPair({
      lab,
      browsers: { alice, bob },
      signalingUrl: signal.url,
      downloadDirs: { alice: join(root, 'alice'), bob: join(root, 'bob') },
    });
    mkdirSync(join(root, 'bob'), { recursive: true });
    const file = join(root, 'payload.bin');
    await writeRandomFile(file, sizeBytes);
    await offerFile(pair, file, 'payload.bin');
    const before = { sender: cpuByRole(netns.sender), receiver: cpuByRole(netns.receiver) };
    const stop = { sender: await startProfile(pair.alice.page), receiver: await startProfile(pair.bob.page) };
    const { seconds, state } = await acceptAndWait(pair, 'payload.bin', 15 * 60 * 1000);
    const profiles = { sender: await stop.sender(), receiver: await stop.receiver() };
    console.log(`${state}: ${Math.round(sizeBytes / 1e6 / seconds * 10) / 10} MB/s (${Math.round(seconds * 10) / 10} s)`);
    for (const side of ['sender', 'receiver'] as const) {
      console.log(`\n${side} (Ferry): CPU by process (cores busy during the transfer)`);
      console.table(busy(before[side], cpuByRole(netns[side]), seconds));
      console.log(`${side}: renderer JavaScript, self time`);
      console.table(profiles[side]);
    }
  } finally {
    clearTimeout(deadline);
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
