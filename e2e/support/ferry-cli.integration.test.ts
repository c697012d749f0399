import { afterEach, describe, expect, it } from 'vitest';
import { spawnTracked, type TrackedProcess } from '../lab/processes.js';
import { inTerminal } from './ferry-cli.js';

/** Stands in for `ferry listen`: Ctrl-C is its normal end, after a moment of cleaning up (exit 0). */
const ENDS_ON_CTRL_C = `
process.on('SIGINT', () => { process.stdout.write('cleaning up\\n'); setTimeout(() => process.exit(0), 300); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

/**
 * The pseudo-terminal the CLI tests type into (no lab needed): a typed Ctrl-C reaches the program
 * alone, and `script` exits with the program's own code.
 */
describe('inTerminal', () => {
  const started: TrackedProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  const start = (argv: string[]) => {
    const terminal = inTerminal(argv);
    const proc = spawnTracked('in-terminal', terminal.command, terminal.args, { env: { ...process.env, ...terminal.env } });
    started.push(proc);
    return proc;
  };

  it('a typed Ctrl-C ends a program that handles it with its own exit code, not 130', async () => {
    // SHELL is /bin/sh (dash on Debian), which forks for `-c` unless told to exec: it would die of the SIGINT.
    for (let i = 0; i < 3; i++) {
      const proc = start([process.execPath, '-e', ENDS_ON_CTRL_C]);
      await proc.waitForLine(/ready/, 10_000);
      proc.child.stdin?.write('\x03');
      expect(await proc.exited, proc.log).toBe(0);
      expect(proc.log).toContain('cleaning up');
    }
  });

  it('passes the words through the shell as they are', async () => {
    const proc = start([process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n")', "it's", 'a b', '$HOME']);
    expect(await proc.exited, proc.log).toBe(0);
    expect(proc.log).toContain(JSON.stringify(["it's", 'a b', '$HOME']));
  });

  it('still says 130 for a program that Ctrl-C kills', async () => {
    const proc = start([process.execPath, '-e', 'process.stdout.write("ready\\n"); setInterval(() => {}, 1000)']);
    await proc.waitForLine(/ready/, 10_000);
    proc.child.stdin?.write('\x03');
    expect(await proc.exited, proc.log).toBe(130);
  });
});
