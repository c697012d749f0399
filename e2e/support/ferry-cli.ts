import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';
import { defaultSettings } from '../../src-main/settings/schema.js';

/** The package's bin, as `npx ferry` runs it (out/cli built by `npm run build`). */
export const FERRY_BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

/** A `ferry` device on a lab host: its own config folder (identity, settings), kept across its commands. */
export interface CliDeviceHome {
  readonly host: LabHost;
  readonly configDir: string;
  /** Runs `ferry <args>` there; the process is tracked (stopped by PID at the end). */
  run(label: string, args: readonly string[], options?: { json?: boolean }): CliRun;
  /** Runs `ferry <args>` behind a pseudo-terminal (util-linux `script`), as a person at a terminal. */
  runInTerminal(label: string, args: readonly string[]): CliRun;
  /** Stops every `ferry` of this device still running (a test that failed mid-way leaves none to hold its id). */
  stopRunning(): Promise<void>;
  dispose(): void;
}

export interface CliRun {
  readonly process: TrackedProcess;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The first JSON line (stdout, --json) with this `event`, parsed. */
  waitForEvent(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Every JSON line so far, parsed (non-JSON lines left out). */
  events(): Array<Record<string, unknown>>;
}

/** `signalingUrl: null`: no server named, so `ferry` uses the built-in LAN signaling (mDNS), as it does for a person. */
export function cliDevice(host: LabHost, options: { signalingUrl: string | null; name: string }): CliDeviceHome {
  const configDir = mkdtempSync(join(tmpdir(), `ferry-cli-${options.name}-`));
  // The device's name is its settings' (the computer's name by default; lab hosts share one).
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify(defaultSettings(options.name)));
  const common = [...(options.signalingUrl === null ? [] : ['--signal', options.signalingUrl]), '--config-dir', configDir];
  const env = { ...process.env, FERRY_SIGNALING_URL: '', FERRY_SIGNALING_TOKEN: '', FERRY_CLI_DEBUG: '1' };
  const started = new Set<TrackedProcess>();
  const wrap = (proc: TrackedProcess): CliRun => {
    started.add(proc);
    return {
      process: proc,
      exited: proc.exited,
      waitForEvent: async (event, timeoutMs = 60_000) => JSON.parse(await proc.waitForLine(new RegExp(`^\\{"event":"${event}"`), timeoutMs)) as Record<string, unknown>,
      events: () =>
        proc.log
          .split('\n')
          .filter((line) => line.startsWith('{"event"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  };
  return {
    host,
    configDir,
    run: (label, args, runOptions = {}) => wrap(host.spawn(label, process.execPath, [FERRY_BIN, ...args, ...common, ...(runOptions.json ? ['--json'] : [])], env)),
    runInTerminal: (label, args) => {
      const terminal = inTerminal([process.execPath, FERRY_BIN, ...args, ...common]);
      return wrap(host.spawn(label, terminal.command, terminal.args, { ...env, ...terminal.env }));
    },
    stopRunning: async () => {
      await Promise.all([...started].map((proc) => proc.stop()));
      started.clear();
    },
    dispose: () => rmSync(configDir, { recursive: true, force: true }),
  };
}

/**
 * `argv` behind a pseudo-terminal, as util-linux `script` gives one: the command `script` runs
 * with its `$SHELL -c`, and the environment for it.
 *
 * The shell execs the program, so the program is the terminal's only process, as it is for a
 * person (an interactive shell puts it in a process group of its own). Without `exec` a shell that
 * forks (dash, /bin/sh on Debian, does for `-c`; bash execs a lone command by itself) stays in the
 * terminal's foreground group: a typed Ctrl-C kills it too, and `script -e` then exits 128+2 = 130
 * whatever the program exits with. SHELL is pinned so every machine runs the same shell here.
 */
export function inTerminal(argv: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const line = `exec ${argv.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ')}`;
  // -e: script exits with the command's code; -f: output as it comes; -q: no "Script started".
  return { command: 'script', args: ['-qefc', line, '/dev/null'], env: { SHELL: '/bin/sh', TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' } };
}
