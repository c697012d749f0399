import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineSnapshot } from '../../src-engine/index.js';
import type { EngineCommandArgs, EngineCommandName, EngineCommandResult } from '../../src-engine/remote/engine-protocol.js';
import type { LabHost } from '../lab/lab.js';
import { isAlive, type TrackedProcess } from '../lab/processes.js';

const MAIN_HOST = fileURLToPath(new URL('../hosts/main-host.ts', import.meta.url));

/**
 * A Ferry device without a window: main's real services and the engine in its own process (as
 * the app runs them), on a lab host; the test is its view, through main-host's stdin.
 */
export interface EngineApp {
  readonly name: string;
  readonly main: TrackedProcess;
  readonly downloadDir: string;
  /** Main's settings file; the identity lives beside it, so an app started on it again is the same device. */
  readonly settingsFile: string;
  /** The process of the engine main started. */
  readonly enginePid: number;
  /** Dies at once, main and engine alike (SIGKILL: no goodbye to anyone). */
  kill(): Promise<void>;
  command<N extends EngineCommandName>(name: N, ...args: EngineCommandArgs<N>): Promise<EngineCommandResult<N>>;
  snapshot(): Promise<EngineSnapshot>;
  /** A person picks these files and folders: main grants them to the engine, as for the window. */
  pick(paths: string[]): Promise<void>;
  /** Polls the engine's snapshot until `check` answers something other than undefined. */
  waitFor<T>(what: string, check: (snapshot: EngineSnapshot) => T | undefined, timeoutMs?: number): Promise<T>;
  /** What main and the engine said, without the snapshots and answers the test asked for. */
  log(): string;
  /** With `webrtc: 'taps'`: raw bytes on its newest link's 'control' channel or a data channel (by label). */
  inject(channel: string, bytes: Uint8Array): Promise<void>;
}

let nextRequest = 1;

export async function startEngineApp(
  host: LabHost,
  options: {
    deviceName: string;
    signalingUrl: string;
    settingsFile?: string;
    /** Where received files go (a fresh temporary folder, removed when main exits, by default). */
    downloadDir?: string;
    /** The engine's WebRTC: node-datachannel as shipped, @roamhq/wrtc (another stack), or node-datachannel with taps (frame-taps.ts). */
    webrtc?: 'node-datachannel' | 'wrtc' | 'taps';
  },
): Promise<EngineApp> {
  const ownDownloads = options.downloadDir ? undefined : mkdtempSync(join(tmpdir(), 'ferry-engine-downloads-'));
  const downloadDir = options.downloadDir ?? (ownDownloads as string);
  const settingsDir = options.settingsFile ? undefined : mkdtempSync(join(tmpdir(), 'ferry-engine-settings-'));
  const settingsFile = options.settingsFile ?? join(settingsDir as string, 'settings.json');
  const main = host.spawn(`main-${options.deviceName}`, process.execPath, [
    '--import',
    'tsx',
    MAIN_HOST,
    JSON.stringify({ deviceName: options.deviceName, signalingUrl: options.signalingUrl, downloadDir, rendererUrl: 'http://ferry.localhost/index.html', settingsFile, engine: true, engineWebRtc: options.webrtc }),
  ]);
  void main.exited.then(() => {
    for (const dir of [settingsDir, ownDownloads]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const listening = JSON.parse(await main.waitForLine(/"event":"listening"/, 60_000)) as { engine?: { pid?: number } };
  const enginePid = listening.engine?.pid ?? 0;
  const request = async (body: Record<string, unknown>, answer: string): Promise<Record<string, unknown>> => {
    const id = nextRequest++;
    const line = main.waitForLine(new RegExp(`"event":"${answer}","id":${id}[,}]`), 15_000, { fresh: true });
    main.child.stdin?.write(`${JSON.stringify({ ...body, id })}\n`);
    return JSON.parse(await line) as Record<string, unknown>;
  };
  const snapshot = async () => (await request({ engine: 'snapshot' }, 'engine-snapshot')).snapshot as EngineSnapshot;
  return {
    name: options.deviceName,
    main,
    downloadDir,
    settingsFile,
    enginePid,
    kill: async () => {
      for (const pid of [enginePid, main.pid]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await main.exited;
      // The engine is main's child: gone with the signal above; wait until the kernel says so.
      for (let i = 0; i < 100 && isAlive(enginePid); i++) await new Promise((r) => setTimeout(r, 20));
    },
    command: async (name, ...args) => {
      const result = await request({ engine: 'command', name, args }, 'engine-result');
      if (!result.ok) throw Object.assign(new Error(String(result.message)), { code: result.code });
      return result.value as never;
    },
    snapshot,
    inject: async (channel, bytes) => {
      await request({ inject: { channel, base64: Buffer.from(bytes).toString('base64') } }, 'injected');
    },
    log: () =>
      main.log
        .split('\n')
        .filter((line) => !line.includes('"event":"engine-snapshot"') && !line.includes('"event":"engine-result"'))
        .join('\n'),
    pick: async (paths) => {
      const { result } = (await request({ grant: paths }, 'granted')) as { result: { ok: boolean; error?: { message: string } } };
      if (!result.ok) throw new Error(result.error?.message);
    },
    waitFor: async (what, check, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: EngineSnapshot | undefined;
      for (;;) {
        last = await snapshot();
        const found = check(last);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          const story = main.log.split('\n').filter((line) => !line.includes('"event":"engine-snapshot"') && !line.includes('"event":"engine-result"')).slice(-40).join('\n');
          throw new Error(`${options.deviceName}: timed out waiting for ${what}; last snapshot: ${JSON.stringify(last).slice(0, 4000)}\n--- ${options.deviceName}'s main and engine said:\n${story}`);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    },
  };
}

/**
 * Connects `app` to `peerId` as a person would: Connect, and again if that connection fails
 * (now and then a first connection dies before it opens), at most three times.
 */
export async function connectLink(app: EngineApp, peerId: string, what: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await app.command('connectTo', peerId);
    const state = await app.waitFor(what, (s) => {
      const link = s.conversations.find((c) => c.peerId === peerId)?.state;
      return link === 'open' || link === 'failed' ? link : undefined;
    }, 45_000);
    if (state === 'open') return;
    if (attempt === 3) throw new Error(`${what}: three connections failed`);
  }
}
