import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A child process the lab started and will stop, by PID, whatever happens to the test.
 * Output is kept (bounded) so a failing test can show what the process said.
 */
export class TrackedProcess {
  private output = '';
  private readonly lineListeners = new Set<(line: string) => void>();
  private partial = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${label}: failed to start`);
    const onData = (data: Buffer) => {
      const text = data.toString();
      this.output = (this.output + text).slice(-200_000);
      this.partial += text;
      const lines = this.partial.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) for (const listener of this.lineListeners) listener(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    allProcesses.add(this);
    void this.exited.then(() => allProcesses.delete(this));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /**
   * Resolves with the first output line matching `pattern` (with `{ fresh: true }`, the first one
   * printed from now on); rejects on timeout or exit.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, options: { fresh?: boolean } = {}): Promise<string> {
    const already = options.fresh ? undefined : this.output.split('\n').find((line) => pattern.test(line));
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${this.label}: no output matching ${pattern} within ${timeoutMs} ms. Output:\n${this.output}`));
      }, timeoutMs);
      const off = this.onLine((line) => {
        if (!pattern.test(line)) return;
        stop();
        resolve(line);
      });
      void this.exited.then((code) => {
        stop();
        reject(new Error(`${this.label}: exited (${code}) before printing ${pattern}. Output:\n${this.output}`));
      });
      const stop = () => {
        clearTimeout(timer);
        off();
      };
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    signal(this.pid, 'SIGTERM');
    const timer = setTimeout(() => signal(this.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

const allProcesses = new Set<TrackedProcess>();

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export function spawnTracked(
  label: string,
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): TrackedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new TrackedProcess(label, child);
}

/** Last resort when the test process is about to exit: kill everything still running. */
export function killAllTrackedSync(): void {
  for (const p of allProcesses) if (p.running) signal(p.pid, 'SIGKILL');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
