/*
 * npm run bench:profile -- [--size 256MiB] [--stripes N] [--high-water 1MiB --low-water 256KiB]
 *                          [--no-cpu-prof] [--json FILE]
 *
 * Where the engine's CPU goes, in the lab (root): the raw node-datachannel blast and then one
 * Ferry transfer between two engines (as bench:transfer runs them), each side's CPU split by
 * process (engine, main-host) and by thread (the engine's JavaScript thread, libdatachannel's
 * "RTC worker", libjuice's "juice poll", libuv's and V8's helpers "node"), and — unless
 * --no-cpu-prof — a V8 CPU profile of each engine (node --cpu-prof: self time by function and
 * by file). --stripes sets the stripes the sender's engine opens (bench/stripes-knob.ts; default
 * as shipped); --high-water / --low-water set the sender's buffer marks (an experiment: shipped
 * 1 MiB / 256 KiB; the blast keeps Ferry's). Numbers to read, not assertions.
 */
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STRIPE_COUNT } from '../src-core/index.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { ferryTransfer, startEnginePair, writeRandomFile } from './engine-pair.js';
import { measureNdcCeiling } from './ndc-ceiling.js';
import { parseSize } from './sizes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Self time by function and by file over the samples taken between `from` and `to` (µs, the profile's clock). */
function summarize(profile: CpuProfile, window?: { fromUs: number; toUs: number }) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    total++;
    const file = frame.url ? (frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/main\//, '') || frame.url) : frame.functionName;
    const fn = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${file.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
    const group = frame.url ? (file.startsWith('node:') ? file : file.split('/').slice(0, file.startsWith('src-') ? 2 : 1).join('/')) : frame.functionName;
    byFile.set(group, (byFile.get(group) ?? 0) + 1);
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => ({ name, selfPercent: Math.round((hits / Math.max(1, total)) * 1000) / 10 }));
  return { samples: total, byFunction: top(byFunction, 25), byFile: top(byFile, 15) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MiB' },
      stripes: { type: 'string' },
      'high-water': { type: 'string' },
      'low-water': { type: 'string' },
      'no-cpu-prof': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const sizeBytes = parseSize(values.size as string);
  const stripes = values.stripes === undefined ? undefined : Number(values.stripes);
  const connections = 1 + (stripes ?? STRIPE_COUNT);
  const root = mkdtempSync(join(tmpdir(), 'ferry-profile-'));
  const profDir = join(root, 'cpu-prof');
  mkdirSync(profDir);
  const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  const deadline = setTimeout(() => {
    console.error('profiling took longer than 30 minutes; stopping');
    process.exit(1);
  }, 30 * 60 * 1000);
  console.log(`load average at start: ${loadavg().map(round2).join(', ')}`);
  const out: Record<string, unknown> = { sizeBytes, connections, loadAtStart: loadavg().map(round2) };
  try {
    if (!lab.host('alice').netns) throw new Error('profiling needs the namespace lab (run as root)');
    const signal = await startSignalHost(lab.host('signal'));
    const hosts = { sender: 'alice', receiver: 'bob' };

    // 1. The raw blast over as many connections as the Ferry run below: the cost per byte to beat.
    const blast = await measureNdcCeiling(lab, hosts, sizeBytes, connections);
    console.log(`\nraw node-datachannel blast ×${connections}: ${round2(blast.MBps)} MB/s (${round2(blast.seconds)} s)`);
    for (const side of ['sender', 'receiver'] as const) {
      console.log(`${side} (blast): ${round2(blast[side].cpuSeconds / blast.seconds)} cores busy, ${round2(blast[side].cpuSeconds / (sizeBytes / 1e9))} CPU s/GB; by thread (cores busy):`);
      console.table(blast[side].threads.map((t) => ({ thread: t.thread, coresBusy: round2(t.cpuSeconds / blast.seconds), 'of which kernel': round2(t.systemSeconds / blast.seconds) })));
    }
    out.blast = blast;

    // 2. Ferry, end to end: once as it runs (CPU by thread), then once more with the engines
    //    profiled by V8 (the profiler costs CPU of its own; its profile is written as they exit).
    const source = join(root, 'payload.bin');
    const sha256 = await writeRandomFile(source, sizeBytes);
    const pairOptions = {
      ...(stripes === undefined ? {} : { stripes }),
      ...(values['high-water'] ? { highWater: parseSize(values['high-water'] as string) } : {}),
      ...(values['low-water'] ? { lowWater: parseSize(values['low-water'] as string) } : {}),
    };
    const transfer = async (name: string, cpuProfDir?: string) => {
      const file = join(root, name);
      linkSync(source, file);
      const pair = await startEnginePair(lab, signal.url, { ...pairOptions, ...(cpuProfDir ? { cpuProfDir } : {}) });
      const pids = { sender: pair.alice.enginePid, receiver: pair.bob.enginePid };
      try {
        return { run: await ferryTransfer(pair, file, { sha256 }), pids };
      } finally {
        await pair.stop();
      }
    };
    const { run } = await transfer('ferry-payload.bin');
    console.log(`\nFerry ×${run.connections} connections: ${round2(run.MBps)} MB/s (${round2(run.seconds)} s)`);
    for (const side of ['sender', 'receiver'] as const) {
      const s = run[side];
      console.log(
        `${side} (Ferry): engine ${round2(s.cpuSeconds / run.seconds)} cores busy, ${round2(s.cpuSeconds / (sizeBytes / 1e9))} CPU s/GB; main-host ${round2(s.mainCpuSeconds / run.seconds)} cores; engine threads (cores busy):`,
      );
      console.table(s.threads.map((t) => ({ thread: t.thread, coresBusy: round2(t.cpuSeconds / run.seconds), 'of which kernel': round2(t.systemSeconds / run.seconds) })));
    }
    out.ferry = run;

    if (!values['no-cpu-prof']) {
      const profiled = await transfer('ferry-profiled.bin', profDir);
      console.log(`\nFerry again, engines under V8's profiler: ${round2(profiled.run.MBps)} MB/s`);
      out.ferryProfiled = profiled.run;
      const files = readdirSync(profDir);
      for (const side of ['sender', 'receiver'] as const) {
        const name = files.find((f) => f.includes(`.${profiled.pids[side]}.`));
        if (!name) {
          console.log(`${side}: no CPU profile written (the engine did not exit cleanly?)`);
          continue;
        }
        const profile = JSON.parse(readFileSync(join(profDir, name), 'utf8')) as CpuProfile;
        // Only the transfer, accept to done: V8 stamps samples on CLOCK_MONOTONIC in µs, as
        // process.hrtime does in the bench (one machine, one clock).
        const window = { fromUs: profiled.run.monotonicUs.accepted, toUs: profiled.run.monotonicUs.done };
        const covered = window.fromUs >= profile.startTime && window.toUs <= profile.endTime;
        if (!covered) console.log(`${side}: the profile's clock does not cover the transfer; the whole profile follows`);
        const summary = summarize(profile, covered ? window : undefined);
        console.log(`\n${side} engine, JavaScript thread self time during the transfer (${summary.samples} samples), by file:`);
        console.table(summary.byFile);
        console.log(`${side} engine, by function:`);
        console.table(summary.byFunction);
        out[`${side}Profile`] = summary;
      }
    }
    if (values.json) writeFileSync(values.json as string, `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    clearTimeout(deadline);
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
