import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';

/** Debian's redis-server on a lab host: no persistence (as a cluster needs none), stopped by PID. */
export interface RedisHost {
  readonly url: string;
  readonly process: TrackedProcess;
  /** SIGKILL (nothing saved), then a fresh, empty one on the same address. */
  restart(): Promise<void>;
}

export async function startRedisHost(host: LabHost, port = 6379): Promise<RedisHost> {
  const bind = host.netns ? '0.0.0.0' : '127.0.0.1';
  const launch = async () => {
    const proc = host.spawn('redis-server', 'redis-server', ['--port', String(port), '--bind', bind, '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
    await proc.waitForLine(/Ready to accept connections/, 15_000);
    return proc;
  };
  let current = await launch();
  return {
    url: `redis://${host.address}:${port}/0`,
    get process() {
      return current;
    },
    restart: async () => {
      current.child.kill('SIGKILL');
      await current.exited;
      current = await launch();
    },
  };
}
