/*
 * npm run bench:transfer -- [--size 1GiB] [--json FILE]
 *
 * In the lab (two Chromium hosts and a signaling host): measures the raw DataChannel ceiling
 * and Ferry end to end (read File slices, frame, send, receive, hash, write to disk through
 * main's sink) side by side in one run, with the memory of each side as PSS. Prints a table and
 * optionally writes JSON. Numbers, not assertions: this machine is noisy, compare within a run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { DEFAULT_CHUNK_BYTES, DEFAULT_MODE, STRIPE_COUNT } from '../src-core/index.js';
import { launchChromium } from '../e2e/lab/chromium.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { acceptAndWait, connectFerryPair, offerFile } from '../e2e/support/ferry-pair.js';
import { parseSize, writeRandomFile } from './sizes.js';
import { measureCeiling } from './ceiling.js';
import { measureModes, type ModeResult } from './modes.js';
import { cpuSecondsOfNamespace, cpuSecondsOfPid, medianOf, pssOfNamespace, pssOfPid, samplePeak } from './pss.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MiB' },
      json: { type: 'string' },
      // Every mode over every link profile (userspace TUN link): smaller, lossy links are slow.
      'modes-size': { type: 'string', default: '4MiB' },
      // The clean-bridge row of the modes table is fast: a bigger file for a stable number.
      'modes-clean-size': { type: 'string', default: '64MiB' },
      'skip-modes': { type: 'boolean', default: false },
      'modes-only': { type: 'boolean', default: false },
    },
  });
  const sizeBytes = parseSize(values.size as string);
  const modesSize = parseSize(values['modes-size'] as string);
  const modesCleanSize = parseSize(values['modes-clean-size'] as string);
  if (values['modes-only']) {
    console.table(await measureModes(modesSize, modesCleanSize));
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  const browsers: Browser[] = [];
  // Every wait below is bounded; the whole run too.
  const deadline = setTimeout(() => {
    console.error('benchmark took longer than 60 minutes; stopping');
    process.exit(1);
  }, 60 * 60 * 1000);
  try {
    const signal = await startSignalHost(lab.host('signal'));
    const [browserA, browserB] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(browserA, browserB);
    const senderNs = lab.host('alice').netns;
    const receiverNs = lab.host('bob').netns;
    if (!senderNs || !receiverNs) throw new Error('the benchmark needs the namespace lab (run as root)');
    const netns = { sender: senderNs, receiver: receiverNs };
    const pss = (ns: string) => pssOfNamespace(ns);

    // 1. The ceiling, on fresh pages of the same two browsers.
    const [blastA, blastB] = await Promise.all([browserA.newPage(), browserB.newPage()]);
    const ceilingMBps = await measureCeiling(blastA, blastB, sizeBytes, DEFAULT_CHUNK_BYTES + 17);
    // The same blast striped over as many connections as Ferry uses by default.
    const stripedCeilingMBps = await measureCeiling(blastA, blastB, sizeBytes, DEFAULT_CHUNK_BYTES + 17, 1 + STRIPE_COUNT);
    await Promise.all([blastA.close(), blastB.close()]);

    // 2. Ferry, end to end.
    const downloads = join(root, 'downloads');
    mkdirSync(downloads);
    const pair = await connectFerryPair({
      lab,
      browsers: { alice: browserA, bob: browserB },
      signalingUrl: signal.url,
      downloadDirs: { alice: join(root, 'alice-downloads'), bob: downloads },
    });
    const file = join(root, 'payload.bin');
    await writeRandomFile(file, sizeBytes);

    // Idle PSS wanders by ±20 MB between samples (GC, caches): the median of several.
    const idle = {
      sender: await medianOf(() => pss(netns.sender)),
      receiver: await medianOf(() => pss(netns.receiver)),
      node: await medianOf(() => pssOfPid(process.pid)),
    };
    const peaks = {
      sender: samplePeak(() => pss(netns.sender)),
      receiver: samplePeak(() => pss(netns.receiver)),
      node: samplePeak(() => pssOfPid(process.pid)),
    };
    await offerFile(pair, file, 'payload.bin');
    const cpuBefore = { sender: cpuSecondsOfNamespace(netns.sender), receiver: cpuSecondsOfNamespace(netns.receiver), node: cpuSecondsOfPid(process.pid) };
    const { seconds } = await acceptAndWait(pair, 'payload.bin', 50 * 60 * 1000);
    const peak = { sender: peaks.sender.stop(), receiver: peaks.receiver.stop(), node: peaks.node.stop() };
    const ferryMBps = sizeBytes / 1e6 / seconds;
    // Share of one core each side kept busy: on 2 cores, a side near 1.0 is CPU-bound.
    const cpu = {
      sender: (cpuSecondsOfNamespace(netns.sender) - cpuBefore.sender) / seconds,
      receiver: (cpuSecondsOfNamespace(netns.receiver) - cpuBefore.receiver) / seconds,
      nodeMain: (cpuSecondsOfPid(process.pid) - cpuBefore.node) / seconds,
    };

    const round = (n: number) => Math.round(n * 10) / 10;
    const result = {
      machine: `${(await import('node:os')).cpus().length} cores, ${Math.round((await import('node:os')).totalmem() / 2 ** 30)} GiB`,
      sizeBytes,
      chunkBytes: DEFAULT_CHUNK_BYTES,
      ceilingMBps: round(ceilingMBps),
      stripedCeilingMBps: round(stripedCeilingMBps),
      // Ferry as it ships: striped over 1 + STRIPE_COUNT connections (the app's default).
      ferryMBps: round(ferryMBps),
      connections: 1 + STRIPE_COUNT,
      ratio: Math.round((ferryMBps / ceilingMBps) * 100) / 100,
      // Filled from the modes run: the default (striped) on each link, against one connection.
      stripedMBps: [] as Array<{ link: string; MBps: number | null; singleConnectionMBps: number | null }>,
      memMB: {
        sender: { idlePss: round(idle.sender), peakPss: round(peak.sender) },
        receiver: { idlePss: round(idle.receiver), peakPss: round(peak.receiver) },
        // Each side's figures include its main-services process (the disk sink) on the same host;
        // this is the benchmark's own process (Playwright), for reference.
        harness: { idlePss: round(idle.node), peakPss: round(peak.node) },
      },
      cpuCores: { sender: round(cpu.sender), receiver: round(cpu.receiver), harness: round(cpu.nodeMain) },
      modes: [] as ModeResult[],
    };
    console.table({
      size: `${round(sizeBytes / 2 ** 20)} MiB`,
      'ceiling MB/s': result.ceilingMBps,
      [`ceiling ×${1 + STRIPE_COUNT} connections MB/s`]: result.stripedCeilingMBps,
      'Ferry MB/s': result.ferryMBps,
      ratio: result.ratio,
      'sender PSS idle→peak MB': `${result.memMB.sender.idlePss} → ${result.memMB.sender.peakPss}`,
      'receiver PSS idle→peak MB': `${result.memMB.receiver.idlePss} → ${result.memMB.receiver.peakPss}`,
      'harness PSS idle→peak MB': `${result.memMB.harness.idlePss} → ${result.memMB.harness.peakPss}`,
      'CPU cores busy (sender/receiver/harness)': `${result.cpuCores.sender} / ${result.cpuCores.receiver} / ${result.cpuCores.harness}`,
    });
    if (!values['skip-modes']) {
      await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => {})));
      const modes = await measureModes(modesSize, modesCleanSize);
      result.modes.push(...modes);
      for (const link of new Set(modes.map((m) => m.link))) {
        const of = (connections: number) => modes.find((m) => m.link === link && m.mode === DEFAULT_MODE && m.connections === connections)?.MBps ?? null;
        result.stripedMBps.push({ link, MBps: of(1 + STRIPE_COUNT), singleConnectionMBps: of(1) });
      }
      console.table(modes);
      console.table(result.stripedMBps);
    }
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
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
