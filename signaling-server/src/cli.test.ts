import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// The real bin, as operators run it (it imports the built dist/, made by npm install and npm run build).
const BIN = fileURLToPath(new URL('../bin/ferry-signal.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  probe.close();
  await once(probe, 'close');
  return port;
}

async function waitForLine(read: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${read()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ferry-signal (the bin)', () => {
  beforeAll(() => {
    if (!existsSync(DIST)) throw new Error('signaling-server/dist is missing: run `npm run build:signal`.');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'http'], /--port must be a whole number/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--tls-cert', '/nonexistent.pem'], /--tls-cert and --tls-key go together/],
    [['--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'], /cannot read "\/nonexistent.pem": ENOENT/],
    [['--stun', 'http://not-stun'], /not a STUN or TURN URL/],
    [['--allowed-origins', 'evil'], /not an origin/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--list-peers', 'sure'], /--list-peers must be yes or no/],
    [['extra-positional'], /Unexpected argument/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { exited, err } = run(args);
    expect(await exited).toBe(2);
    expect(err()).toMatch(message);
  });

  it('validates environment variables like flags', async () => {
    const { exited, err } = run([], { FERRY_SIGNAL_PORT: '-1' });
    expect(await exited).toBe(2);
    expect(err()).toMatch(/--port must be a whole number/);
  });

  it('explains every option in --help', async () => {
    const { exited, out } = run(['--help']);
    expect(await exited).toBe(0);
    for (const flag of ['--port', '--host', '--path', '--key', '--tls-cert', '--tls-key', '--allowed-origins', '--stun']) {
      expect(out()).toContain(flag);
    }
    expect(out()).toContain('FERRY_SIGNAL_PORT');
  });

  it('serves /health, logs JSON lines, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = run(['--host', '127.0.0.1'], { FERRY_SIGNAL_PORT: String(port) });
    await waitForLine(server.out, /signaling server listening/);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const lines = server.out().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(
      expect.arrayContaining(['signaling server listening', 'shutting down', 'signaling server closed']),
    );
  });

  it('says clearly when the port is in use', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { exited, err } = run(['--host', '127.0.0.1', '--port', String(port)]);
      expect(await exited).toBe(1);
      expect(err()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });
});
