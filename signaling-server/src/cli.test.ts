import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OPTION_TABLE } from './option-table.js';

// The real bin, as operators run it (it imports the built dist/, made by npm install and npm run build).
const BIN = fileURLToPath(new URL('../bin/ferry-signal.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

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
    [['--config', '/nonexistent/ferry.json'], /--config: cannot read "\/nonexistent\/ferry.json": ENOENT/],
    [['--config', 'BAD_JSON'], /--config: ".*" is not valid JSON/],
    [['--config', 'UNKNOWN_KEY'], /--config: unknown option "turn_secret"/],
    [['--config', 'BAD_VALUE'], /--ip-message-rate must be a whole number from 0 to 1000000, not "fast" \(in .*\)/],
    [['--turn-url', 'turn:turn.example.org'], /--turn-url needs --turn-secret/],
    [['--token', 'short'], /--token must be at least 16 characters/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const fixtures: Record<string, () => string> = {
      BAD_JSON: () => file('bad.json', '{ "port": 9000,, }'),
      UNKNOWN_KEY: () => file('unknown.json', '{ "turn_secret": "x" }'),
      BAD_VALUE: () => file('value.json', '{ "ip-message-rate": "fast" }'),
    };
    const { exited, err } = run(args.map((a) => fixtures[a]?.() ?? a));
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
    for (const option of OPTION_TABLE) {
      expect(out()).toContain(`--${option.flag} ${option.value}`);
      expect(out()).toContain(option.env);
    }
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

  it('serves /metrics and /status behind --status-token, counting a real registration', async () => {
    const port = await freePort();
    const server = run(['--host', '127.0.0.1', '--port', String(port), '--status-token', 'operator-status-token']);
    await waitForLine(server.out, /signaling server listening/);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=ferry-aaaaaaaaaaaaaaaa&token=t1`);
    await new Promise<void>((resolve, reject) => {
      socket.once('message', () => resolve());
      socket.once('error', reject);
    });
    const auth = { authorization: 'Bearer operator-status-token' };
    const metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/^ferry_signal_peers_connected 1$/m);
    expect(metrics).toMatch(/^ferry_signal_registrations_total 1$/m);
    expect(metrics).toMatch(/^ferry_signal_process_resident_memory_bytes \d+/m);
    const page = await fetch(`${base}/status`, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    socket.close();
    expect(server.out()).not.toContain('operator-status-token');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
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

  it('mints a per-device token the server accepts, and logs neither tokens nor secrets', async () => {
    const secretFile = file('token-secret', 'a-token-secret-of-enough-length\n');
    const minted = run(['token', '--peer', 'ferry-abcdefghijklmnop', '--ttl', '1h', '--token-secret-file', secretFile]);
    expect(await minted.exited).toBe(0);
    const token = minted.out().trim();
    expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(minted.err()).toMatch(/valid until \d{4}-/);

    const port = await freePort();
    const server = run(['--host', '127.0.0.1', '--port', String(port), '--turn-url', 'turn:turn.example.org'], {
      FERRY_SIGNAL_TOKEN_SECRET_FILE: secretFile,
      FERRY_SIGNAL_TURN_SECRET: 'the-turn-secret-value',
    });
    await waitForLine(server.out, /signaling server listening/);
    const first = async (id: string, t: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${t}`);
      socket.on('error', () => {});
      const [data] = (await once(socket, 'message')) as [Buffer];
      socket.terminate();
      return JSON.parse(data.toString()) as { type: string; payload?: { msg: string } };
    };
    expect(await first('ferry-abcdefghijklmnop', token)).toEqual({ type: 'OPEN' });
    expect(await first('ferry-bbbbbbbbbbbbbbbb', token)).toMatchObject({ type: 'ERROR', payload: { msg: expect.stringMatching(/not valid/) } });
    const ice = (await (await fetch(`http://127.0.0.1:${port}/ice?peer=ferry-abcdefghijklmnop`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      iceServers: Array<{ credential?: string }>;
    };
    const credential = ice.iceServers[0]?.credential as string;
    expect(credential).toMatch(/=$/);
    await waitForLine(server.out, /"msg":"websocket refused"/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    for (const secret of [token, token.split('.')[1] as string, 'a-token-secret-of-enough-length', 'the-turn-secret-value', credential]) {
      expect(server.out()).not.toContain(secret);
    }
  });
});
