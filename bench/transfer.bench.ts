/*
 * npm run bench:transfer -- [--size 1GiB] [--json FILE] [--rounds 3] [--sizes 1GiB,4GiB]
 *                           [--skip-modes | --modes-only] [--modes-size 8MiB] [--modes-clean-size 256MiB]
 *                           [--skip-chromium] [--chromium-size SIZE] [--skip-code]
 *
 * In the lab (root): two lab hosts and a signaling host. Side by side in one run:
 * - ceilingMBps: a raw node-datachannel blast Node ↔ Node (bench/ndc-blast-peer.ts) over 1 and
 *   over 1 + STRIPE_COUNT connections, Ferry's frame size and buffer marks, nothing else;
 * - chromiumCeilingMBps: the same blast between two headless Chromium (bench/ceiling.ts), for
 *   reference (the old data plane);
 * - ferryMBps: Ferry end to end between two engines as the app runs them (main's services + the
 *   engine in its own process, e2e/support/engine-app.ts): a real sendPaths of one file, timed
 *   from Bob's accept to Bob's row done (read, frame, send, receive, hash, write, fsync, rename),
 *   the received file checked by size and sha256;
 * - CPU seconds per GB of each side's engine process (and of each blast process), from /proc;
 * - each engine's PSS (process tree) idle and peak, at --size and at 4× (--sizes);
 * - every delivery mode on one connection and striped (the default, 'automatic', as shipped),
 *   over the clean bridge and the impaired TUN links (bench/modes.ts), with the raw blast over
 *   the same links;
 * - send with a code, as people use it: `ferry send` → `ferry receive` (CLI → CLI) and → the
 *   browser page in Chromium (CLI → page), at --size, against the same run's ceilings, with the
 *   page's renderers' PSS (bench/code-transfers.ts).
 * --rounds alternates blast and Ferry that many times at --size and reports medians: the machine
 * is shared and noisy. Prints tables; --json writes everything. Targets are reported, not asserted.
 */
import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { DEFAULT_CHUNK_BYTES, DEFAULT_MODE, STRIPE_COUNT } from '../src-core/index.js';
import { launchChromium } from '../e2e/lab/chromium.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { measureCeiling } from './ceiling.js';
import { type CodeTransfers, measureCodeTransfers } from './code-transfers.js';
import { type FerryRun, ferryTransfer, startEnginePair, writeRandomFile } from './engine-pair.js';
import { measureModes, type ModeResult } from './modes.js';
import { FERRY_FRAME_BYTES, FERRY_HIGH_WATER, FERRY_LOW_WATER, measureNdcCeiling, type NdcCeiling } from './ndc-ceiling.js';
import { parseSize } from './sizes.js';

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const label = (bytes: number) => (bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}GiB` : `${round1(bytes / 2 ** 20)}MiB`);
const perGB = (cpuSeconds: number, bytes: number) => cpuSeconds / (bytes / 1e9);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1GiB' },
      sizes: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'string' },
      'modes-size': { type: 'string', default: '8MiB' },
      'modes-clean-size': { type: 'string', default: '256MiB' },
      'skip-modes': { type: 'boolean', default: false },
      'modes-only': { type: 'boolean', default: false },
      'skip-chromium': { type: 'boolean', default: false },
      'chromium-size': { type: 'string' },
      'skip-code': { type: 'boolean', default: false },
    },
  });
  const sizeBytes = parseSize(values.size as string);
  const memorySizes = values.sizes ? (values.sizes as string).split(',').map(parseSize) : [sizeBytes, 4 * sizeBytes];
  const rounds = Math.max(1, Number(values.rounds));
  const modesSize = parseSize(values['modes-size'] as string);
  const modesCleanSize = parseSize(values['modes-clean-size'] as string);
  const chromiumSize = values['chromium-size'] ? parseSize(values['chromium-size'] as string) : sizeBytes;
  const load = { atStart: loadavg().map(round2), atEnd: [] as number[] };
  console.log(`load average at start: ${load.atStart.join(', ')} (${cpus().length} cores)`);

  // Every wait below is bounded; the whole run too.
  const deadline = setTimeout(() => {
    console.error('benchmark took longer than 120 minutes; stopping');
    process.exit(1);
  }, 120 * 60 * 1000);
  const transferTimeoutMs = (bytes: number) => Math.max(5 * 60 * 1000, (bytes / 2e6) * 1000);

  const stripedConnections = 1 + STRIPE_COUNT;
  const result = {
    machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    date: new Date().toISOString(),
    command: `npm run bench:transfer -- ${process.argv.slice(2).join(' ')}`.trim(),
    load,
    sizeBytes,
    rounds,
    chunkBytes: DEFAULT_CHUNK_BYTES,
    frameBytes: FERRY_FRAME_BYTES,
    bufferMarks: { highWater: FERRY_HIGH_WATER, lowWater: FERRY_LOW_WATER },
    /** Raw node-datachannel blast, Node ↔ Node (median of the rounds). */
    ceilingMBps: { oneConnection: 0, striped: 0, stripedConnections, best: 0 },
    /** Raw Chromium blast between two headless Chromium, for reference (one run). */
    chromiumCeilingMBps: { oneConnection: null as number | null, striped: null as number | null, sizeBytes: chromiumSize },
    /** Ferry as it ships (default mode, striped), median of the rounds. */
    ferryMBps: 0,
    connections: 0,
    ratio: 0,
    ratioVsOneConnection: 0,
    ratioVsStriped: 0,
    cpuSecondsPerGB: {
      /** The blast over as many connections as Ferry uses, and over one. */
      rawBlast: { sender: 0, receiver: 0 },
      rawBlastOneConnection: { sender: 0, receiver: 0 },
      ferry: { sender: 0, receiver: 0 },
      /** main-host (main's services, and the bench's view of the engine): not the engine, for reference. */
      ferryMainHost: { sender: 0, receiver: 0 },
      ferryOverRaw: { sender: 0, receiver: 0 },
    },
    /** Engine process tree PSS, by size: idle (median of 7 samples before the offer) → peak during the transfer. */
    memMB: { sender: {} as Record<string, { idle: number; peak: number; growth: number }>, receiver: {} as Record<string, { idle: number; peak: number; growth: number }> },
    /** The raw blast processes' PSS, for reference (median of the rounds, striped blast). */
    rawBlastMemMB: { sender: { idle: 0, peak: 0 }, receiver: { idle: 0, peak: 0 } },
    targets: {} as Record<string, { target: string; value: string; met: boolean }>,
    perRound: [] as Array<{ ceiling: NdcCeiling; ceilingStriped: NdcCeiling; ferry: FerryRun }>,
    bySize: [] as FerryRun[],
    modes: [] as ModeResult[],
    linkCeilings: [] as Awaited<ReturnType<typeof measureModes>>['ceilings'],
    stripedMBps: [] as Array<{ link: string; stripedMBps: number | null; oneConnectionMBps: number | null; ratio: number | null }>,
    /** Send with a code: CLI → CLI and CLI → page, MB/s and against this run's ceilings. */
    codeTransfers: null as (CodeTransfers & { cliToCliRatio: number; cliToPageRatio: number | null }) | null,
  };
  const writeJson = () => {
    load.atEnd = loadavg().map(round2);
    if (!values.json) return;
    // --modes-only measures nothing else: its JSON holds only what it measured.
    const { machine, date, command, modes, linkCeilings, stripedMBps } = result;
    const written = values['modes-only'] ? { machine, date, command, load, modesSizeBytes: modesSize, modesCleanSizeBytes: modesCleanSize, modes, linkCeilings, stripedMBps } : result;
    writeFileSync(values.json as string, `${JSON.stringify(written, null, 2)}\n`);
  };

  const runModes = async () => {
    const { modes, ceilings } = await measureModes(modesSize, modesCleanSize, { log: (line) => console.log(`  ${line}`) });
    result.modes = modes;
    result.linkCeilings = ceilings;
    for (const link of new Set(modes.map((m) => m.link))) {
      const of = (mode: string) => modes.find((m) => m.link === link && m.mode === mode)?.MBps ?? null;
      const striped = of('automatic');
      const single = of(DEFAULT_MODE);
      result.stripedMBps.push({ link, stripedMBps: striped, oneConnectionMBps: single, ratio: striped !== null && single ? round2(striped / single) : null });
    }
    printModes(result.modes, result.linkCeilings, result.stripedMBps);
  };

  try {
    if (values['modes-only']) {
      await runModes();
      writeJson();
      return;
    }
    const root = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const browsers: Browser[] = [];
    try {
      if (!lab.host('alice').netns) throw new Error('the benchmark needs the namespace lab (run as root)');
      const signal = await startSignalHost(lab.host('signal'));
      const hosts = { sender: 'alice', receiver: 'bob' };

      // 1. Rounds at --size: the blast (1 and striped), then Ferry as it ships.
      const source = join(root, `source-${label(sizeBytes)}.bin`);
      const sha256 = await writeRandomFile(source, sizeBytes);
      for (let r = 1; r <= rounds; r++) {
        const ceiling = await measureNdcCeiling(lab, hosts, sizeBytes, 1, transferTimeoutMs(sizeBytes));
        const ceilingStriped = await measureNdcCeiling(lab, hosts, sizeBytes, stripedConnections, transferTimeoutMs(sizeBytes));
        // A name of its own per round (a hard link: no copy), so every row is told apart.
        const file = join(root, `payload-${label(sizeBytes)}-round${r}.bin`);
        linkSync(source, file);
        const pair = await startEnginePair(lab, signal.url);
        let ferry: FerryRun;
        try {
          ferry = await ferryTransfer(pair, file, { sha256, timeoutMs: transferTimeoutMs(sizeBytes) });
        } finally {
          await pair.stop(); // main-host removes its download folder as it exits
        }
        result.perRound.push({ ceiling, ceilingStriped, ferry });
        console.log(
          `round ${r}/${rounds}: blast ${round1(ceiling.MBps)} MB/s (×${stripedConnections}: ${round1(ceilingStriped.MBps)}), ` +
            `Ferry ${round1(ferry.MBps)} MB/s over ${ferry.connections} connections, ` +
            `CPU s/GB blast ${round1(perGB(ceilingStriped.sender.cpuSeconds, sizeBytes))}/${round1(perGB(ceilingStriped.receiver.cpuSeconds, sizeBytes))}, ` +
            `Ferry ${round1(perGB(ferry.sender.cpuSeconds, sizeBytes))}/${round1(perGB(ferry.receiver.cpuSeconds, sizeBytes))}`,
        );
        writeJson();
      }
      rmSync(source, { force: true });

      // 2. Memory (and speed) at the other sizes: fresh engines each, one run each.
      const runs = result.perRound.map((r) => r.ferry);
      for (const size of memorySizes) {
        if (size === sizeBytes) continue;
        const file = join(root, `payload-${label(size)}.bin`);
        const hash = await writeRandomFile(file, size);
        const pair = await startEnginePair(lab, signal.url);
        try {
          const run = await ferryTransfer(pair, file, { sha256: hash, timeoutMs: transferTimeoutMs(size) });
          result.bySize.push(run);
          console.log(`${label(size)}: Ferry ${round1(run.MBps)} MB/s; engine PSS sender ${round1(run.sender.idlePssMB)} → ${round1(run.sender.peakPssMB)}, receiver ${round1(run.receiver.idlePssMB)} → ${round1(run.receiver.peakPssMB)} MB`);
        } finally {
          await pair.stop();
          rmSync(file, { force: true });
        }
        writeJson();
      }

      // 3. The Chromium blast, for reference (the browsers live only for this).
      if (!values['skip-chromium']) {
        const [browserA, browserB] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
        browsers.push(browserA, browserB);
        const [pageA, pageB] = await Promise.all([browserA.newPage(), browserB.newPage()]);
        result.chromiumCeilingMBps.oneConnection = round1(await measureCeiling(pageA, pageB, chromiumSize, FERRY_FRAME_BYTES));
        result.chromiumCeilingMBps.striped = round1(await measureCeiling(pageA, pageB, chromiumSize, FERRY_FRAME_BYTES, stripedConnections));
        await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => {})));
        console.log(`Chromium blast: ${result.chromiumCeilingMBps.oneConnection} MB/s (×${stripedConnections}: ${result.chromiumCeilingMBps.striped})`);
      }

      // 4. Send with a code: CLI → CLI and CLI → page.
      if (!values['skip-code']) {
        const code = await measureCodeTransfers(lab, { signal: 'signal', ...hosts }, sizeBytes, transferTimeoutMs(sizeBytes));
        const nodeCeiling = Math.max(...result.perRound.map((r) => Math.max(r.ceiling.MBps, r.ceilingStriped.MBps)));
        const chromiumCeiling = Math.max(result.chromiumCeilingMBps.striped ?? 0, result.chromiumCeilingMBps.oneConnection ?? 0);
        result.codeTransfers = { ...code, cliToCliRatio: round2(code.cliToCli.MBps / nodeCeiling), cliToPageRatio: chromiumCeiling ? round2(code.cliToPage.MBps / chromiumCeiling) : null };
        const pss = code.cliToPage.pageRenderersPssMB;
        console.log(
          `send with a code, ${label(sizeBytes)}: CLI → CLI ${round1(code.cliToCli.MBps)} MB/s (×${result.codeTransfers.cliToCliRatio} of the Node blast), ` +
            `CLI → page ${round1(code.cliToPage.MBps)} MB/s (×${result.codeTransfers.cliToPageRatio ?? '?'} of the Chromium blast); page renderers ${round1(pss.before)} → ${round1(pss.peak)} MB (+${round1(pss.growth)})`,
        );
        writeJson();
      }

      // Medians of the rounds.
      const ceilings = result.perRound.map((r) => r.ceiling);
      const striped = result.perRound.map((r) => r.ceilingStriped);
      result.ceilingMBps.oneConnection = round1(median(ceilings.map((c) => c.MBps)));
      result.ceilingMBps.striped = round1(median(striped.map((c) => c.MBps)));
      result.ceilingMBps.best = Math.max(result.ceilingMBps.oneConnection, result.ceilingMBps.striped);
      const ferryMBps = median(runs.map((f) => f.MBps));
      result.ferryMBps = round1(ferryMBps);
      result.connections = runs[0]?.connections ?? 0;
      result.ratio = round2(ferryMBps / result.ceilingMBps.best);
      result.ratioVsOneConnection = round2(ferryMBps / result.ceilingMBps.oneConnection);
      result.ratioVsStriped = round2(ferryMBps / result.ceilingMBps.striped);
      const cpu = result.cpuSecondsPerGB;
      for (const side of ['sender', 'receiver'] as const) {
        cpu.rawBlast[side] = round1(median(striped.map((c) => perGB(c[side].cpuSeconds, sizeBytes))));
        cpu.rawBlastOneConnection[side] = round1(median(ceilings.map((c) => perGB(c[side].cpuSeconds, sizeBytes))));
        cpu.ferry[side] = round1(median(runs.map((f) => perGB(f[side].cpuSeconds, sizeBytes))));
        cpu.ferryMainHost[side] = round2(median(runs.map((f) => perGB(f[side].mainCpuSeconds, sizeBytes))));
        cpu.ferryOverRaw[side] = round2(cpu.ferry[side] / cpu.rawBlast[side]);
        result.rawBlastMemMB[side] = { idle: round1(median(striped.map((c) => c[side].idlePssMB))), peak: round1(median(striped.map((c) => c[side].peakPssMB))) };
        const memOf = (list: FerryRun[]) => ({
          idle: round1(median(list.map((f) => f[side].idlePssMB))),
          peak: round1(median(list.map((f) => f[side].peakPssMB))),
          growth: round1(median(list.map((f) => f[side].peakPssMB - f[side].idlePssMB))),
        });
        result.memMB[side][label(sizeBytes)] = memOf(runs);
        for (const run of result.bySize) result.memMB[side][label(run.sizeBytes)] = memOf([run]);
      }

      // Targets (reported, not asserted).
      const t = result.targets;
      t.ratio = { target: '≥ 0.90', value: `${result.ratio}`, met: result.ratio >= 0.9 };
      for (const side of ['sender', 'receiver'] as const) {
        t[`cpu ${side}`] = { target: 'Ferry ≤ 1.2× raw blast per GB', value: `${cpu.ferryOverRaw[side]}×`, met: cpu.ferryOverRaw[side] <= 1.2 };
        for (const [size, mem] of Object.entries(result.memMB[side])) {
          t[`memory ${side} ${size}`] = { target: 'peak − idle ≤ 100 MB', value: `+${mem.growth} MB`, met: mem.growth <= 100 };
        }
        const base = result.memMB[side][label(sizeBytes)];
        for (const run of result.bySize) {
          const other = result.memMB[side][label(run.sizeBytes)];
          if (!base || !other) continue;
          const change = other.growth / base.growth - 1;
          t[`flat ${side} ${label(run.sizeBytes)} vs ${label(sizeBytes)}`] = {
            target: 'growth within 10 %',
            value: `${change >= 0 ? '+' : ''}${Math.round(change * 100)} % (+${other.growth} vs +${base.growth} MB)`,
            met: Math.abs(change) <= 0.1,
          };
        }
      }
      printSummary(result);
      writeJson();
    } finally {
      await Promise.all(browsers.map((b) => b.close().catch(() => {})));
      await lab.dispose();
      rmSync(root, { recursive: true, force: true });
    }
    if (!values['skip-modes']) {
      await runModes();
      writeJson();
    }
  } finally {
    clearTimeout(deadline);
    load.atEnd = loadavg().map(round2);
    console.log(`load average at end: ${load.atEnd.join(', ')}`);
  }
}

function printSummary(result: {
  sizeBytes: number;
  ceilingMBps: { oneConnection: number; striped: number; stripedConnections: number };
  chromiumCeilingMBps: { oneConnection: number | null; striped: number | null };
  ferryMBps: number;
  connections: number;
  ratio: number;
  cpuSecondsPerGB: Record<string, { sender: number; receiver: number }>;
  memMB: Record<'sender' | 'receiver', Record<string, { idle: number; peak: number; growth: number }>>;
  targets: Record<string, { target: string; value: string; met: boolean }>;
  bySize: FerryRun[];
}): void {
  const n = result.ceilingMBps.stripedConnections;
  console.log(`\nFerry vs the raw node-datachannel blast, ${label(result.sizeBytes)} (medians):`);
  console.table({
    'raw blast MB/s (1 / ×n connections)': `${result.ceilingMBps.oneConnection} / ${result.ceilingMBps.striped} (n = ${n})`,
    'Chromium blast MB/s (1 / ×n), reference': `${result.chromiumCeilingMBps.oneConnection ?? '—'} / ${result.chromiumCeilingMBps.striped ?? '—'}`,
    'Ferry MB/s': `${result.ferryMBps} (${result.connections} connections)`,
    'ratio (vs best blast)': `${result.ratio}`,
    ...Object.fromEntries(result.bySize.map((run) => [`Ferry MB/s at ${label(run.sizeBytes)}`, `${round1(run.MBps)}`])),
  });
  console.log('CPU seconds per GB, each side (engine process / blast process):');
  console.table(result.cpuSecondsPerGB);
  console.log('Engine PSS (process tree), MB:');
  console.table(
    Object.fromEntries(
      (['sender', 'receiver'] as const).flatMap((side) =>
        Object.entries(result.memMB[side]).map(([size, m]) => [`${side} ${size}`, { idle: m.idle, peak: m.peak, 'peak − idle': m.growth }]),
      ),
    ),
  );
  console.log('Targets:');
  console.table(result.targets);
}

function printModes(modes: ModeResult[], ceilings: Array<{ link: string; sizeMiB: number; rawMBps: number | null; rawStripedMBps: number | null }>, striped: unknown[]): void {
  const links = [...new Set(modes.map((m) => m.link))];
  const table: Record<string, Record<string, string>> = {};
  for (const link of links) {
    const row: Record<string, string> = {};
    for (const m of modes.filter((x) => x.link === link)) {
      // Keyed by what was asked for; a striped run that got fewer connections (a stripe failed to
      // open) says how many it had.
      const asked = m.striped ? 1 + STRIPE_COUNT : 1;
      const key = m.mode === 'automatic' ? `default ×${asked}` : `${m.mode} ×${asked}`;
      const short = m.connections !== asked ? ` (${m.connections} conns)` : '';
      row[key] = m.MBps === null ? `✗ ${m.error ?? ''}`.slice(0, 40) : `${m.MBps}${short}`;
    }
    const c = ceilings.find((x) => x.link === link);
    row['raw ×1 / ×4'] = `${c?.rawMBps ?? '—'} / ${c?.rawStripedMBps ?? '—'}`;
    row.MiB = `${c?.sizeMiB ?? ''}`;
    table[link] = row;
  }
  console.log('\nDelivery modes and striping, engine to engine, MB/s:');
  console.table(table);
  console.table(striped);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
