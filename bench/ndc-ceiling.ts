import { fileURLToPath } from 'node:url';
import { DEFAULT_CHUNK_BYTES, DATA_HEADER_BYTES } from '../src-core/index.js';
import type { Lab } from '../e2e/lab/lab.js';
import type { TrackedProcess } from '../e2e/lab/processes.js';
import { cpuByThread, cpuSecondsOfTree, medianOf, pssOfTree, samplePeak, treePssSampler } from './pss.js';

/*
 * The ceiling on the engine's data plane: a raw node-datachannel blast Node ↔ Node between two
 * lab hosts (bench/ndc-blast-peer.ts), with Ferry's frame size (64 KiB chunk + 17-byte header)
 * and Ferry's sender buffer marks (TransferEndpoint: high-water 1 MiB, low-water 256 KiB), over
 * one connection or striped over several (least-buffered channel first, as Ferry picks), and
 * nothing else. Each side is one Node process, measured as the engine is: PSS and CPU from /proc.
 */

const PEER = fileURLToPath(new URL('./ndc-blast-peer.ts', import.meta.url));

/** What Ferry's TransferEndpoint uses (src-core/transfer/endpoint.ts defaults). */
export const FERRY_HIGH_WATER = 1024 * 1024;
export const FERRY_LOW_WATER = 256 * 1024;
export const FERRY_FRAME_BYTES = DEFAULT_CHUNK_BYTES + DATA_HEADER_BYTES;

export interface SideFigures {
  cpuSeconds: number;
  /** The process's own process.cpuUsage() over the blast (all threads), to cross-check /proc. */
  selfCpuSeconds: number;
  idlePssMB: number;
  peakPssMB: number;
  /** CPU seconds by thread name over the blast. */
  threads: ThreadCpu[];
}

export interface NdcCeiling {
  connections: number;
  MBps: number;
  seconds: number;
  sender: SideFigures;
  receiver: SideFigures;
}

type Line = Record<string, unknown>;

async function next(proc: TrackedProcess, event: string, timeoutMs: number): Promise<Line> {
  const line = await proc.waitForLine(new RegExp(`"event":"(${event}|error)"`), timeoutMs, { fresh: true });
  const parsed = JSON.parse(line) as Line;
  if (parsed.event === 'error') throw new Error(`${proc.label}: ${String(parsed.message)}`);
  return parsed;
}

function send(proc: TrackedProcess, command: Line): void {
  proc.child.stdin?.write(`${JSON.stringify(command)}\n`);
}

export interface ThreadCpu {
  thread: string;
  cpuSeconds: number;
  /** Of which in the kernel (system time): sockets, file writes, fsync. */
  systemSeconds: number;
}

export function threadDelta(before: Map<string, { total: number; system: number }>, after: Map<string, { total: number; system: number }>): ThreadCpu[] {
  return [...after.entries()]
    .map(([thread, cpu]) => ({
      thread,
      cpuSeconds: Math.round((cpu.total - (before.get(thread)?.total ?? 0)) * 100) / 100,
      systemSeconds: Math.round((cpu.system - (before.get(thread)?.system ?? 0)) * 100) / 100,
    }))
    .filter((row) => row.cpuSeconds > 0)
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

/**
 * One blast of `sizeBytes` from `senderHost` to `receiverHost` over `connections` connections,
 * in two fresh processes (stopped by PID when done, whatever happens). Bounded by `timeoutMs`.
 */
export async function measureNdcCeiling(
  lab: Lab,
  hosts: { sender: string; receiver: string },
  sizeBytes: number,
  connections: number,
  timeoutMs = 10 * 60 * 1000,
): Promise<NdcCeiling> {
  try {
    return await blastOnce(lab, hosts, sizeBytes, connections, timeoutMs);
  } catch (error) {
    // A loaded machine can miss a setup deadline: once more, with fresh processes.
    console.error(`raw blast failed (${((error as Error).message.split('\n')[0] ?? '').slice(0, 200)}); trying again`);
    return blastOnce(lab, hosts, sizeBytes, connections, timeoutMs);
  }
}

async function blastOnce(lab: Lab, hosts: { sender: string; receiver: string }, sizeBytes: number, connections: number, timeoutMs: number): Promise<NdcCeiling> {
  const sender = lab.host(hosts.sender).spawn(`blast-sender-${connections}`, process.execPath, ['--import', 'tsx', PEER]);
  const receiver = lab.host(hosts.receiver).spawn(`blast-receiver-${connections}`, process.execPath, ['--import', 'tsx', PEER]);
  try {
    await Promise.all([sender.waitForLine(/"event":"ready"/, 30_000), receiver.waitForLine(/"event":"ready"/, 30_000)]);
    // One connection at a time, offer to answer: offers left waiting for their answer while the
    // others were made (seconds, on a loaded machine) now and then lost their ICE transport.
    const allOpen = (proc: TrackedProcess) => proc.waitForLine(new RegExp(`"event":"open","connections":${connections}[,}]`), 60_000);
    const bothOpen = Promise.all([allOpen(sender), allOpen(receiver)]);
    bothOpen.catch(() => {});
    for (let i = 0; i < connections; i++) {
      const offers = next(sender, 'offers', 30_000);
      send(sender, { cmd: 'offer', connections: 1 });
      const answers = next(receiver, 'answers', 30_000);
      send(receiver, { cmd: 'answer', sdps: (await offers).sdps });
      const applied = next(sender, 'applied', 30_000);
      send(sender, { cmd: 'answers', sdps: (await answers).sdps });
      await applied;
    }
    await bothOpen;

    const expecting = next(receiver, 'expecting', 10_000);
    send(receiver, { cmd: 'expect', bytes: sizeBytes });
    await expecting;
    const idle = { sender: await medianOf(() => pssOfTree(sender.pid), 5, 200), receiver: await medianOf(() => pssOfTree(receiver.pid), 5, 200) };
    const peaks = { sender: samplePeak(treePssSampler(sender.pid)), receiver: samplePeak(treePssSampler(receiver.pid)) };
    const selfBefore = await Promise.all([selfCpu(sender), selfCpu(receiver)]);
    const cpuBefore = { sender: cpuSecondsOfTree(sender.pid), receiver: cpuSecondsOfTree(receiver.pid) };
    const threadsBefore = { sender: cpuByThread(sender.pid), receiver: cpuByThread(receiver.pid) };
    const received = next(receiver, 'received', timeoutMs);
    const started = performance.now();
    send(sender, { cmd: 'blast', bytes: sizeBytes, frame: FERRY_FRAME_BYTES, high: FERRY_HIGH_WATER, low: FERRY_LOW_WATER });
    await received;
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = { sender: cpuSecondsOfTree(sender.pid), receiver: cpuSecondsOfTree(receiver.pid) };
    const threadsAfter = { sender: cpuByThread(sender.pid), receiver: cpuByThread(receiver.pid) };
    const peak = { sender: peaks.sender.stop(), receiver: peaks.receiver.stop() };
    const selfAfter = await Promise.all([selfCpu(sender), selfCpu(receiver)]);
    const side = (name: 'sender' | 'receiver', index: 0 | 1): SideFigures => ({
      cpuSeconds: cpuAfter[name] - cpuBefore[name],
      selfCpuSeconds: selfAfter[index] - selfBefore[index],
      idlePssMB: idle[name],
      peakPssMB: peak[name],
      threads: threadDelta(threadsBefore[name], threadsAfter[name]),
    });
    return { connections, MBps: sizeBytes / 1e6 / seconds, seconds, sender: side('sender', 0), receiver: side('receiver', 1) };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nsender:\n${sender.log.slice(-3000)}\nreceiver:\n${receiver.log.slice(-3000)}`, { cause: error });
  } finally {
    for (const proc of [sender, receiver]) send(proc, { cmd: 'close' });
    await Promise.all([sender.stop(1000), receiver.stop(1000)]);
  }
}

async function selfCpu(proc: TrackedProcess): Promise<number> {
  const answer = next(proc, 'cpu', 10_000);
  send(proc, { cmd: 'cpu' });
  return (await answer).seconds as number;
}
