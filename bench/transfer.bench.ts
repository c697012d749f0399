/*
 * npm run bench:transfer -- [--size 1GiB] [--json FILE]
 *
 * In the lab (two Chromium hosts and a signaling host): measures the raw DataChannel ceiling
 * and Ferry end to end (read File slices, frame, send, receive, hash, write to disk through
 * main's sink) side by side in one run, with the memory of each side as PSS. Prints a table and
 * optionally writes JSON. Numbers, not assertions: this machine is noisy, compare within a run.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { DEFAULT_CHUNK_BYTES, DEFAULT_MODE, STRIPE_COUNT } from '../src-core/index.js';
import { launchChromium } from '../e2e/lab/chromium.js';
import { openFerryPage } from '../e2e/lab/ferry-page.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { waitForText } from '../e2e/support/wait.js';
import { measureCeiling } from './ceiling.js';
import { measureModes, type ModeResult } from './modes.js';
import { cpuSecondsOfNamespace, cpuSecondsOfPid, pssOfNamespace, pssOfPid, samplePeak } from './pss.js';

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size: "${text}" is not a size like 256MiB or 1GiB`);
  const units: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };
  return Math.round(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

async function writeRandomFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    if (!out.write(written + block.length > size ? block.subarray(0, size - written) : block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

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
    const [alice, bob] = await Promise.all([
      openFerryPage(browserA, lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url, downloadDir: join(root, 'alice-downloads') }),
      openFerryPage(browserB, lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url, downloadDir: downloads }),
    ]);
    try {
      await waitForText(bob.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
      await waitForText(alice.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nAlice's page:\n${alice.logs.join('\n')}\nBob's page:\n${bob.logs.join('\n')}\nBob's main:\n${bob.main.log}`, { cause: error });
    }
    const bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
    await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
    await alice.page.getByRole('button', { name: 'Connect' }).click();
    await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/);
    const file = join(root, 'payload.bin');
    await writeRandomFile(file, sizeBytes);

    const idle = { sender: pss(netns.sender), receiver: pss(netns.receiver), node: pssOfPid(process.pid) };
    const peaks = {
      sender: samplePeak(() => pss(netns.sender)),
      receiver: samplePeak(() => pss(netns.receiver)),
      node: samplePeak(() => pssOfPid(process.pid)),
    };
    const aliceChat = alice.page.getByRole('region', { name: 'Conversation with Bob' });
    const bobChat = bob.page.getByRole('region', { name: 'Conversation with Alice' });
    await aliceChat.getByLabel('Files to send to Bob').setInputFiles(file);
    await waitForText(bobChat.getByRole('status', { name: 'State of payload.bin' }), /Wants to send you files/);
    const cpuBefore = { sender: cpuSecondsOfNamespace(netns.sender), receiver: cpuSecondsOfNamespace(netns.receiver), node: cpuSecondsOfPid(process.pid) };
    const started = performance.now();
    await bobChat.getByRole('button', { name: 'Accept' }).click();
    await waitForText(bobChat.getByRole('status', { name: 'State of payload.bin' }), /Done, verified|Failed/, 50 * 60 * 1000);
    const seconds = (performance.now() - started) / 1000;
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
