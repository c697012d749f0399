import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Conversation, EngineSnapshot, TransferRow } from '../src-engine/index.js';
import type { Lab } from '../e2e/lab/lab.js';
import { type EngineApp, startEngineApp } from '../e2e/support/engine-app.js';
import { type ThreadCpu, threadDelta } from './ndc-ceiling.js';
import { cpuByThread, cpuSecondsOfPid, cpuSecondsOfTree, medianOf, pssOfPid, pssOfTree, samplePeak, treePssSampler } from './pss.js';

/*
 * Two Ferry devices without a window, as the app runs them (e2e/support/engine-app.ts): main's
 * services in one Node process per lab host, the engine forked from it in its own (PeerJS on
 * node-datachannel). The bench is their view: it connects them, picks a file on Alice, sends it,
 * accepts on Bob, and measures the engine processes from /proc while the bytes move.
 */

const PRELOAD = fileURLToPath(new URL('./engine-preload.ts', import.meta.url));

export interface EngineDevice {
  app: EngineApp;
  /** The engine's own process (forked by main-host): PSS and CPU are its tree's. */
  enginePid: number;
  peerId: string;
}

export interface EnginePair {
  alice: EngineDevice;
  bob: EngineDevice;
  /** Connections (node-datachannel peer connections, one UDP socket each) the sender's engine holds. */
  connections: number;
  stop(): Promise<void>;
}

export interface PairOptions {
  /** Stripes the dialing engine opens (undefined: the engine's default, STRIPE_COUNT). */
  stripes?: number;
  /** Experiments: the sender's buffer marks (bench/engine-preload.ts). */
  highWater?: number;
  lowWater?: number;
  /** Writes a V8 CPU profile of each engine process here when it exits (CPU.<pid>.cpuprofile). */
  cpuProfDir?: string;
}

const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);

/**
 * Starts main + engine on two lab hosts, connects Alice to Bob, waits for the stripes. On a
 * loaded machine a start can miss its deadlines (signaling, link): it is tried once more.
 */
export async function startEnginePair(lab: Lab, signalingUrl: string, options: PairOptions = {}): Promise<EnginePair> {
  try {
    return await startEnginePairOnce(lab, signalingUrl, options);
  } catch (error) {
    const message = (error as Error).message;
    console.error(`engine pair did not start (${(message.split('\n')[0] ?? '').slice(0, 200)}); trying again.${message.includes('\nalice:') ? ` Logs:${message.slice(message.indexOf('\nalice:'))}` : ''}`);
    return startEnginePairOnce(lab, signalingUrl, options);
  }
}

async function startEnginePairOnce(lab: Lab, signalingUrl: string, options: PairOptions): Promise<EnginePair> {
  // main-host is spawned with this process's environment and forks the engine with its own:
  // options for the engine go in through NODE_OPTIONS, set only while the two are spawned.
  const env: Record<string, string | undefined> = {
    FERRY_BENCH_STRIPES: options.stripes?.toString(),
    FERRY_BENCH_CPU_PROF_DIR: options.cpuProfDir,
    FERRY_BENCH_HIGH_WATER: options.highWater?.toString(),
    FERRY_BENCH_LOW_WATER: options.lowWater?.toString(),
  };
  const saved: Record<string, string | undefined> = { NODE_OPTIONS: process.env.NODE_OPTIONS };
  for (const key of Object.keys(env)) saved[key] = process.env[key];
  if (Object.values(env).some((value) => value !== undefined)) {
    // tsx first: the preload is TypeScript, and NODE_OPTIONS' imports run before the command line's.
    process.env.NODE_OPTIONS = [saved.NODE_OPTIONS ?? '', '--import tsx', `--import ${PRELOAD}`].join(' ').trim();
  }
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  let apps: Promise<[EngineApp, EngineApp]>;
  try {
    // startEngineApp spawns main-host before its first await: the environment is read by then.
    apps = Promise.all([
      startEngineApp(lab.host('alice'), { deviceName: 'Alice', signalingUrl }),
      startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl }),
    ]);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const [aliceApp, bobApp] = await apps;
  const stop = async () => {
    await Promise.all([aliceApp.main.stop(6000), bobApp.main.stop(6000)]);
  };
  try {
    const enginePidOf = async (app: EngineApp) => {
      const line = JSON.parse(await app.main.waitForLine(/"event":"listening"/, 5_000)) as { engine?: { pid?: number } };
      if (typeof line.engine?.pid !== 'number') throw new Error(`${app.name}: main-host said no engine pid`);
      return line.engine.pid;
    };
    const connected = (s: EngineSnapshot) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined);
    const [aliceId, bobId, alicePid, bobPid] = await Promise.all([
      aliceApp.waitFor('signaling', connected, 60_000),
      bobApp.waitFor('signaling', connected, 60_000),
      enginePidOf(aliceApp),
      enginePidOf(bobApp),
    ]);
    // The engine holds a few UDP ports of its own for TURN (src-node/webrtc/local-udp-ports.ts):
    // connections are the sockets it opens from here on.
    await sleep(300);
    const baseline = udpSocketsOf(alicePid);
    await aliceApp.command('connectTo', bobId);
    await Promise.all([
      aliceApp.waitFor('the link to Bob', (s) => (conversationWith(s, bobId)?.state === 'open' ? true : undefined)),
      bobApp.waitFor('the link from Alice', (s) => (conversationWith(s, aliceId)?.state === 'open' ? true : undefined)),
    ]);
    // Stripes open after the link: wait until the sender's engine holds them all (one UDP socket
    // per connection), then give their DTLS and SCTP a moment.
    const expected = 1 + (options.stripes ?? 3);
    const deadline = Date.now() + 15_000;
    while (udpSocketsOf(alicePid) - baseline < expected && Date.now() < deadline) await sleep(100);
    await sleep(1500);
    return {
      alice: { app: aliceApp, enginePid: alicePid, peerId: aliceId },
      bob: { app: bobApp, enginePid: bobPid, peerId: bobId },
      connections: udpSocketsOf(alicePid) - baseline,
      stop,
    };
  } catch (error) {
    // Snapshots fill the logs: what main-host and the engine said besides.
    const said = (app: EngineApp) => app.main.log.split('\n').filter((line) => !line.includes('"engine-snapshot"')).join('\n').slice(-3000);
    const logs = `\nalice:\n${said(aliceApp)}\nbob:\n${said(bobApp)}`;
    await stop();
    throw new Error(`${(error as Error).message}${logs}`, { cause: error });
  }
}

/** UDP sockets a process holds (libjuice: one per peer connection). */
export function udpSocketsOf(pid: number): number {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match?.[1]) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return 0;
  }
  let count = 0;
  for (const table of ['udp', 'udp6']) {
    try {
      for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
        const inode = line.trim().split(/\s+/)[9];
        if (inode && inodes.has(inode)) count++;
      }
    } catch {
      // no such table
    }
  }
  return count;
}

export interface SideFigures {
  /** Engine process tree: CPU seconds between accept and done. */
  cpuSeconds: number;
  /** main-host (main's services + the bench's view of the engine), for reference. */
  mainCpuSeconds: number;
  idlePssMB: number;
  peakPssMB: number;
  mainIdlePssMB: number;
  mainPeakPssMB: number;
  threads: ThreadCpu[];
}

export interface FerryRun {
  sizeBytes: number;
  seconds: number;
  MBps: number;
  connections: number;
  mode: string;
  verified: { size: boolean; sha256: boolean };
  /** Accept and done on CLOCK_MONOTONIC in µs (process.hrtime), the clock V8's CPU profiles use. */
  monotonicUs: { accepted: number; done: number };
  sender: SideFigures;
  receiver: SideFigures;
}

/** A file of random bytes, written in 1 MiB blocks (never whole in memory); answers its sha256. */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  for (let written = 0; written < size; ) {
    const block = randomFillSync(Buffer.allocUnsafe(Math.min(1024 * 1024, size - written)));
    hash.update(block);
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * One real transfer: Alice picks `file` and sends it (sendPaths), Bob accepts; timed on the
 * bench's clock from Bob's accept to Bob's row saying done (the file verified, fsynced and renamed
 * to its final name: main-host prints the engine's tray update at once). The received file is
 * then checked against the source by size and sha256. `mode` is set on Alice's settings first.
 */
export async function ferryTransfer(
  pair: EnginePair,
  file: string,
  options: { sha256: string; mode?: 'automatic' | 'reliable-ordered' | 'reliable-unordered' | 'partial'; timeoutMs?: number; sampleMemory?: boolean },
): Promise<FerryRun> {
  const { alice, bob } = pair;
  const name = basename(file);
  const size = statSync(file).size;
  const mode = options.mode ?? 'automatic';
  const timeoutMs = options.timeoutMs ?? 30 * 60 * 1000;
  await alice.app.command('saveSettings', { transferMode: mode });
  await alice.app.waitFor('the mode', (s) => (s.settings?.transferMode === mode ? true : undefined), 10_000);

  const measureMemory = options.sampleMemory ?? true;
  const idle = measureMemory
    ? {
        sender: await medianOf(() => pssOfTree(alice.enginePid)),
        receiver: await medianOf(() => pssOfTree(bob.enginePid)),
        senderMain: pssOfPid(alice.app.main.pid),
        receiverMain: pssOfPid(bob.app.main.pid),
      }
    : { sender: 0, receiver: 0, senderMain: 0, receiverMain: 0 };
  const peaks = measureMemory
    ? {
        sender: samplePeak(treePssSampler(alice.enginePid)),
        receiver: samplePeak(treePssSampler(bob.enginePid)),
        senderMain: samplePeak(() => pssOfPid(alice.app.main.pid)),
        receiverMain: samplePeak(() => pssOfPid(bob.app.main.pid)),
      }
    : undefined;

  await alice.app.pick([file]);
  await alice.app.command('sendPaths', bob.peerId, [file]);
  const offered = await bob.app.waitFor(
    'the offer',
    (s) => conversationWith(s, alice.peerId)?.transfers.find((t) => t.state === 'offered' && t.title === name && t.spaceProblem === undefined),
    30_000,
  );
  const ended = transferEnded(bob, alice.peerId, name, offered.key, timeoutMs);
  const before = {
    sender: cpuSecondsOfTree(alice.enginePid),
    receiver: cpuSecondsOfTree(bob.enginePid),
    senderMain: cpuSecondsOfPid(alice.app.main.pid),
    receiverMain: cpuSecondsOfPid(bob.app.main.pid),
    senderThreads: cpuByThread(alice.enginePid),
    receiverThreads: cpuByThread(bob.enginePid),
  };
  const started = performance.now();
  const acceptedUs = Number(process.hrtime.bigint() / 1000n);
  await bob.app.command('acceptTransfer', alice.peerId, offered.key, {});
  let outcome: { state: string; error?: string };
  try {
    outcome = await ended;
  } finally {
    ended.cancel();
  }
  const seconds = (performance.now() - started) / 1000;
  const doneUs = Number(process.hrtime.bigint() / 1000n);
  const after = {
    sender: cpuSecondsOfTree(alice.enginePid),
    receiver: cpuSecondsOfTree(bob.enginePid),
    senderMain: cpuSecondsOfPid(alice.app.main.pid),
    receiverMain: cpuSecondsOfPid(bob.app.main.pid),
    senderThreads: cpuByThread(alice.enginePid),
    receiverThreads: cpuByThread(bob.enginePid),
  };
  const peak = peaks
    ? { sender: peaks.sender.stop(), receiver: peaks.receiver.stop(), senderMain: peaks.senderMain.stop(), receiverMain: peaks.receiverMain.stop() }
    : { sender: 0, receiver: 0, senderMain: 0, receiverMain: 0 };
  if (outcome.state !== 'done') throw new Error(`the transfer of ${name} ended ${outcome.state}: ${outcome.error ?? ''}`);
  // The sender hears `complete` a moment later.
  await alice.app.waitFor('the sender done', (s) => (conversationWith(s, bob.peerId)?.transfers.filter((t) => t.title === name).at(-1)?.state === 'done' ? true : undefined), 30_000);

  const row = conversationWith(await bob.app.snapshot(), alice.peerId)?.transfers.find((t) => t.key === offered.key) as TransferRow;
  const received = row.savedPaths[0] ?? join(bob.app.downloadDir, name);
  const verified = { size: statSync(received).size === size, sha256: (await sha256OfFile(received)) === options.sha256 };
  if (!verified.size || !verified.sha256) throw new Error(`${received} differs from ${file}: ${JSON.stringify(verified)}`);

  const side = (key: 'sender' | 'receiver'): SideFigures => ({
    cpuSeconds: after[key] - before[key],
    mainCpuSeconds: after[`${key}Main`] - before[`${key}Main`],
    idlePssMB: idle[key],
    peakPssMB: peak[key],
    mainIdlePssMB: idle[`${key}Main`],
    mainPeakPssMB: peak[`${key}Main`],
    threads: threadDelta(before[`${key}Threads`], after[`${key}Threads`]),
  });
  return { sizeBytes: size, seconds, MBps: size / 1e6 / seconds, connections: pair.connections, mode, verified, monotonicUs: { accepted: acceptedUs, done: doneUs }, sender: side('sender'), receiver: side('receiver') };
}

/**
 * Resolves when Bob's row `key` (titled `title`) leaves the running states: from the tray update
 * main-host prints the moment the engine reports it (exact; newest first, so the newest row of
 * that title), or a snapshot polled every second (a backstop).
 */
function transferEnded(bob: EngineDevice, alicePeerId: string, title: string, key: string, timeoutMs: number): Promise<{ state: string; error?: string }> & { cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<{ state: string; error?: string }>((resolve, reject) => {
    const finished = (state: string) => state === 'done' || state === 'failed' || state === 'cancelled' || state === 'declined';
    const off = bob.app.main.onLine((line) => {
      if (!line.includes('"recent-transfers"')) return;
      try {
        const { desktop } = JSON.parse(line) as { desktop: { recent: Array<{ title: string; direction: string; state: string }> } };
        const entry = desktop.recent.find((r) => r.title === title && r.direction === 'in');
        if (entry && finished(entry.state)) settle({ state: entry.state });
      } catch {
        // not ours
      }
    });
    let polling = true;
    const poll = async () => {
      while (polling) {
        await sleep(1000);
        if (!polling) return;
        try {
          const row = conversationWith(await bob.app.snapshot(), alicePeerId)?.transfers.find((t) => t.key === key);
          if (row && finished(row.state)) settle({ state: row.state, ...(row.error ? { error: row.error } : {}) });
        } catch (error) {
          settle(undefined, error as Error);
        }
      }
    };
    const timer = setTimeout(() => settle(undefined, new Error(`${title}: not done within ${timeoutMs / 1000} s`)), timeoutMs);
    const settle = (value?: { state: string; error?: string }, error?: Error) => {
      polling = false;
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve(value as { state: string; error?: string });
    };
    cancel = () => settle(undefined, new Error('cancelled'));
    void poll();
  });
  promise.catch(() => {});
  return Object.assign(promise, { cancel: () => cancel() });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
