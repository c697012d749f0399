import { execFileSync } from 'node:child_process';

/*
 * Linux network namespaces as test hosts. Every host hangs off a bridge that lives in a
 * namespace of its own (the "switch"), so nothing the tests send can reach the machine's real
 * interfaces: the only addresses on the path are the ones created here.
 */

const PREFIX = 'ferry-lab';

export function canUseNetns(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function ip(args: readonly string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`, { cause: error });
  }
}

export function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.length > 0);
}

/** Names carry the owning PID so a later run can tell abandoned namespaces from live ones. */
export function namespaceName(ownerPid: number, run: number, host: string): string {
  return `${PREFIX}-${ownerPid}-${run}-${host}`;
}

export function ownerOf(name: string): number | undefined {
  const match = new RegExp(`^${PREFIX}-(\\d+)-\\d+-`).exec(name);
  return match ? Number(match[1]) : undefined;
}

/** PIDs of every process whose network namespace is `name`. */
export function pidsIn(name: string): number[] {
  try {
    return ip(['netns', 'pids', name])
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** Kills what still runs inside, then deletes the namespace. Never throws. */
export function deleteNamespace(name: string): void {
  for (const pid of pidsIn(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  try {
    ip(['netns', 'del', name]);
  } catch {
    // already deleted
  }
}
