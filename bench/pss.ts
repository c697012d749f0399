import { readdirSync, readFileSync } from 'node:fs';
import { pidsIn } from '../e2e/lab/netns.js';

/** Proportional set size of one process in MB (shared pages split among their users). */
export function pssOfPid(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

/** PSS summed over every process of a lab host (a whole Chromium tree, say). */
export function pssOfNamespace(netns: string): number {
  return pidsIn(netns).reduce((sum, pid) => sum + pssOfPid(pid), 0);
}

/** The median of `count` samples taken `intervalMs` apart. */
export async function medianOf(measure: () => number, count = 7, intervalMs = 300): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
    samples.push(measure());
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(count / 2)] ?? 0;
}

/**
 * Samples a measurement every `intervalMs` until stopped; returns the peak. Reading
 * smaps_rollup of a whole Chromium tree costs CPU itself: twice a second by default.
 */
export function samplePeak(measure: () => number, intervalMs = 500): { stop(): number } {
  let peak = measure();
  const timer = setInterval(() => {
    peak = Math.max(peak, measure());
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, measure());
    },
  };
}

/** CPU seconds (user + system) used so far by every process of a lab host. */
export function cpuSecondsOfNamespace(netns: string): number {
  return pidsIn(netns).reduce((sum, pid) => sum + cpuSecondsOfPid(pid), 0);
}

export function cpuSecondsOfPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** Resident set size of one process in MB (what `ps` and operators see). */
export function rssOfPid(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function rssOfNamespace(netns: string): number {
  return pidsIn(netns).reduce((sum, pid) => sum + rssOfPid(pid), 0);
}

/** The process and all its descendants (by parent pid, from /proc). */
export function treeOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** PSS summed over a process and its descendants, in MB. */
export function pssOfTree(pid: number): number {
  return treeOf(pid).reduce((sum, p) => sum + pssOfPid(p), 0);
}

/**
 * PSS of a process tree for repeated sampling: the tree (a walk over /proc) is looked up again
 * only every `refreshEvery` samples, so sampling twice a second costs the machine little.
 */
export function treePssSampler(pid: number, refreshEvery = 10): () => number {
  let tree = treeOf(pid);
  let calls = 0;
  return () => {
    if (++calls % refreshEvery === 0) tree = treeOf(pid);
    return tree.reduce((sum, p) => sum + pssOfPid(p), 0);
  };
}

/** CPU seconds of a process and its descendants. */
export function cpuSecondsOfTree(pid: number): number {
  return treeOf(pid).reduce((sum, p) => sum + cpuSecondsOfPid(p), 0);
}

/**
 * CPU seconds (total, and the kernel's share) of each of a process's threads, summed by thread
 * name: the JavaScript thread is "<name> (main thread)"; libdatachannel's threads are "RTC worker"
 * and "SCTP timer", libjuice's "juice poll"; Node 20 leaves libuv's pool (file reads and writes,
 * fsync) and V8's helpers (GC) unnamed: "node". Threads that ended are not counted: compare
 * snapshots of a live process.
 */
export function cpuByThread(pid: number): Map<string, { total: number; system: number }> {
  const out = new Map<string, { total: number; system: number }>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = Number(tid) === pid ? `${name} (main thread)` : name;
      const was = out.get(key) ?? { total: 0, system: 0 };
      out.set(key, { total: was.total + (Number(fields[11]) + Number(fields[12])) / 100, system: was.system + Number(fields[12]) / 100 });
    } catch {
      // ended
    }
  }
  return out;
}
