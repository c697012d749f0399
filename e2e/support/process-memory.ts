import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** PIDs of the processes inside a lab namespace whose command name starts with `command`. */
export function pidsInNamespace(netns: string, command: string): number[] {
  const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith(command);
    } catch {
      return false;
    }
  });
}

/** Proportional set size of each process, summed, in bytes (a process gone meanwhile counts 0). */
export function pssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const line = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += Number(line?.[1] ?? 0) * 1024;
    } catch {
      // exited
    }
  }
  return total;
}

/** Each process's PSS in bytes with what it is (Chromium's --type=…, or its command name). */
export function pssByProcess(pids: readonly number[]): Array<{ pid: number; what: string; pss: number }> {
  return pids.map((pid) => {
    let what = '?';
    try {
      // Chromium rewrites its children's command lines into one string: find --type= in it.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = /--type=(\S+)/.exec(cmdline)?.[1];
      const service = /--utility-sub-type=(\S+)/.exec(cmdline)?.[1];
      what = type ? `${type}${service ? ` ${service}` : ''}` : readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // exited
    }
    return { pid, what, pss: pssBytes([pid]) };
  });
}
