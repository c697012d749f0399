/*
 * Preloaded into the bench's main-host and engine processes (NODE_OPTIONS, set by
 * bench/engine-pair.ts only while it spawns them); nothing in src-* changes.
 *
 * FERRY_BENCH_STRIPES=<n>: the striping knob, until the engine has one. Every link this engine
 * dials opens n stripes (0: one connection) instead of STRIPE_COUNT, by patching PeerLink's
 * prototype. The app wants a real option for it (an engine option passed on as
 * PeerLinkOptions.stripes).
 *
 * FERRY_BENCH_HIGH_WATER=<bytes>, FERRY_BENCH_LOW_WATER=<bytes>: the sender's buffer marks
 * (TransferEndpoint's highWaterMark / lowWaterMark; shipped: 1 MiB / 256 KiB), for experiments
 * (bench:profile --high-water / --low-water). Patched the same way.
 *
 * FERRY_BENCH_CPU_PROF_DIR=<dir>: a V8 CPU profile of the engine process (`--cpu-prof` is not
 * allowed in NODE_OPTIONS, and main-host forks the engine with fixed execArgv), through the
 * in-process inspector, written as CPU.<pid>.cpuprofile when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { TransferEndpoint } from '../src-core/index.js';
import { PeerLink } from '../src-engine/link/peer-link.js';

const isEngine = /engine-child/.test(process.argv[1] ?? '');

const stripes = Number(process.env.FERRY_BENCH_STRIPES);
if (process.env.FERRY_BENCH_STRIPES !== undefined && Number.isInteger(stripes) && stripes >= 0) {
  const proto = PeerLink.prototype as unknown as { openStripes(this: { options: object }): void };
  const original = proto.openStripes;
  if (typeof original !== 'function') throw new Error('engine-preload: PeerLink has no openStripes any more; update bench/engine-preload.ts');
  proto.openStripes = function (this: { options: object }) {
    this.options = { ...this.options, stripes };
    process.stderr.write(`${JSON.stringify({ event: 'bench-stripes', stripes })}\n`);
    original.call(this);
  };
}

const highWater = Number(process.env.FERRY_BENCH_HIGH_WATER ?? NaN);
const lowWater = Number(process.env.FERRY_BENCH_LOW_WATER ?? NaN);
if (Number.isFinite(highWater) || Number.isFinite(lowWater)) {
  const proto = TransferEndpoint.prototype as unknown as { pickChannel(this: { highWater: number; lowWater: number }, ...args: unknown[]): unknown };
  const original = proto.pickChannel;
  if (typeof original !== 'function') throw new Error('engine-preload: TransferEndpoint has no pickChannel any more; update bench/engine-preload.ts');
  proto.pickChannel = function (this: { highWater: number; lowWater: number }, ...args: unknown[]) {
    if (Number.isFinite(highWater)) this.highWater = highWater;
    if (Number.isFinite(lowWater)) this.lowWater = lowWater;
    return original.apply(this, args);
  };
}

const profDir = process.env.FERRY_BENCH_CPU_PROF_DIR;
if (profDir && isEngine) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // The engine leaves by process.exit (SIGTERM from main-host, or main gone): an in-process
  // inspector session answers synchronously, so the profile is written on the way out.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(profDir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
