/*
 * Test helper (excluded from the build): a real redis-server (Debian's) on a loopback port of its
 * own, no persistence, stopped by PID. `restart` keeps the port, so clients reconnect to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Kills it (SIGKILL: nothing is saved) and waits for the process to end. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.on('error', () => {});
    child = started;
    let log = '';
    started.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    started.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`redis-server did not start (is Debian's redis-server installed?):\n${log}`);
      if ((await ping(port)) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer within 10 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const ended = once(running, 'exit');
    running.kill('SIGKILL');
    await ended;
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** PING over RESP; 'PONG' when the server is ready, undefined when nothing answers. */
function ping(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG') ? 'PONG' : reply.trim());
      }
    });
  });
}
