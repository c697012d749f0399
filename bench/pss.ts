import { readFileSync } from 'node:fs';
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
