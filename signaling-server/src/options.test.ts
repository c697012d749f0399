import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(content: string): string {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
}
const config = (object: unknown) => file(JSON.stringify(object));

function serve(argv: string[], env: Record<string, string> = {}) {
  const command = parseCli(argv, env);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command;
}

function failure(argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseCli(argv, env);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('configuration sources', () => {
  it('takes a flag over the environment over the config file over the default', () => {
    const cfg = config({ port: 7001, 'max-peers': 7, 'log-level': 'warn', 'alive-timeout': '30s' });
    const all = serve(['--config', cfg, '--port', '7003'], { FERRY_SIGNAL_PORT: '7002', FERRY_SIGNAL_MAX_PEERS: '8' });
    expect(all.server).toMatchObject({ port: 7003, maxPeers: 8, aliveTimeoutMs: 30_000 });
    expect(all.logLevel).toBe('warn');
    expect(serve(['--config', cfg], { FERRY_SIGNAL_PORT: '7002' }).server.port).toBe(7002);
    expect(serve(['--config', cfg]).server.port).toBe(7001);
    expect(serve([]).server.port).toBeUndefined(); // the library's default (9000)
    // The config file can come from the environment too.
    expect(serve([], { FERRY_SIGNAL_CONFIG: cfg }).server.port).toBe(7001);
  });

  it('reads every kind of value from the file: lists, booleans, durations, secrets from files', () => {
    const secretFile = file('the-turn-secret\n');
    const cfg = config({
      'allowed-origins': ['https://a.example', 'https://b.example'],
      'list-peers': true,
      'turn-url': ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'],
      'turn-secret-file': secretFile,
      'turn-ttl': '10m',
      'trust-proxy': '127.0.0.1, ::1',
      'ip-message-rate': 0,
      'queue-limit': 10,
    });
    expect(serve(['--config', cfg]).server).toMatchObject({
      allowedOrigins: ['https://a.example', 'https://b.example'],
      listPeers: true,
      turn: { urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'], secret: 'the-turn-secret', ttlSeconds: 600 },
      trustedProxies: ['127.0.0.1', '::1'],
      limits: { messagesPerSecond: 0 },
      queue: { limit: 10 },
    });
  });

  it('builds the access policy from a shared token or a token secret (directly, from a file, or the environment)', () => {
    expect(serve(['--token', 'sixteen-chars-ok']).server.access).toEqual({ kind: 'shared', token: 'sixteen-chars-ok' });
    expect(serve(['--token-file', file('sixteen-chars-ok\r\n')]).server.access).toEqual({ kind: 'shared', token: 'sixteen-chars-ok' });
    expect(serve([], { FERRY_SIGNAL_TOKEN_SECRET: 'a-secret-from-env!' }).server.access).toEqual({ kind: 'hmac', secret: 'a-secret-from-env!' });
    // A flag's file beats the environment's value: the pair is one setting.
    expect(serve(['--token-secret-file', file('a-secret-from-file')], { FERRY_SIGNAL_TOKEN_SECRET: 'a-secret-from-env!' }).server.access).toEqual({
      kind: 'hmac',
      secret: 'a-secret-from-file',
    });
  });
});

describe('bad configuration names the option', () => {
  it.each([
    [[`--config`, '/nonexistent/ferry.json'], 'config', 'UNREADABLE_FILE', /cannot read "\/nonexistent\/ferry.json": ENOENT/],
    [['--config', 'BADJSON'], 'config', 'BAD_JSON', /is not valid JSON/],
    [['--config', 'ARRAY'], 'config', 'BAD_JSON', /must hold one JSON object/],
    [['--config', 'UNKNOWN'], 'alowed-origins', 'UNKNOWN_OPTION', /unknown option "alowed-origins"/],
    [['--config', 'DASHES'], '--port', 'UNKNOWN_OPTION', /without the dashes/],
    [['--config', 'NESTED'], 'config', 'UNKNOWN_OPTION', /unknown option "config"/],
    [['--config', 'BADTYPE'], 'stun', 'BAD_VALUE', /--stun \(in .*\) must be a string, number, boolean or list/],
    [['--config', 'BADPORT'], 'port', 'BAD_VALUE', /--port must be a whole number from 0 to 65535, not "99999" \(in .*\)\./],
    [['--turn-url', 'turn:t.example.org'], 'turn-secret', 'MISSING', /--turn-url needs --turn-secret/],
    [['--turn-secret', 'x'], 'turn-url', 'MISSING', /--turn-secret needs --turn-url/],
    [['--turn-url', 'http://t.example.org', '--turn-secret', 'x'], 'turn-url', 'BAD_VALUE', /not a TURN URL/],
    [['--turn-url', 'turn:t.example.org', '--turn-secret', 'x', '--turn-ttl', '2d'], 'turn-ttl', 'BAD_VALUE', /--turn-ttl must be a duration/],
    [['--turn-url', 'turn:t.example.org', '--turn-secret', 'x', '--turn-secret-file', '/etc/passwd'], 'turn-secret', 'CONFLICT', /both set/],
    [['--token', 'short'], 'token', 'BAD_VALUE', /at least 16 characters/],
    [['--token', 'sixteen-chars-ok', '--token-secret', 'sixteen-chars-ok'], 'token', 'CONFLICT', /exclude each other/],
    [['--token-secret-file', '/nonexistent/secret'], 'token-secret-file', 'UNREADABLE_FILE', /cannot read/],
    [['--trust-proxy', 'my-proxy'], 'trust-proxy', 'BAD_VALUE', /not an IP address/],
    [['--alive-timeout', '5x'], 'alive-timeout', 'BAD_VALUE', /duration/],
    [['--ip-connections=-1'], 'ip-connections', 'BAD_VALUE', /whole number/],
    [['--max-message-bytes', '10'], 'max-message-bytes', 'BAD_VALUE', /from 1024/],
  ])('%j → %s', (argv, option, code, message) => {
    const fixtures: Record<string, string> = {
      BADJSON: file('{ "port": 9000, }'),
      ARRAY: file('[]'),
      UNKNOWN: config({ 'alowed-origins': 'https://a.example' }),
      DASHES: config({ '--port': 1 }),
      NESTED: config({ config: '/etc/other.json' }),
      BADTYPE: config({ stun: { url: 'stun:x' } }),
      BADPORT: config({ port: 99999 }),
    };
    const error = failure(argv.map((a) => fixtures[a] ?? a));
    expect(error.option).toBe(option);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('joins a cluster on Redis by flag, environment or file, with a password from a file and a node name', () => {
    expect(serve([]).server.redis).toBeUndefined();
    expect(serve(['--redis', 'redis://10.0.0.5:6379/0']).server.redis).toEqual({ url: 'redis://10.0.0.5:6379/0' });
    expect(serve([], { FERRY_SIGNAL_REDIS: 'rediss://cache.example.org:6380/2', FERRY_SIGNAL_NODE_NAME: 'eu-1' }).server.redis).toEqual({ url: 'rediss://cache.example.org:6380/2', nodeId: 'eu-1' });
    const fromFile = serve(['--config', config({ redis: 'redis://r:6379', 'redis-password-file': file('s3cret\n') })]).server.redis;
    expect(fromFile).toEqual({ url: 'redis://r:6379', password: 's3cret' });
    expect(failure(['--redis', 'http://r:6379']).message).toBe('--redis must start with redis:// or rediss://.');
    expect(failure(['--redis', 'redis://r:6379/cache']).message).toMatch(/database number/);
    expect(failure(['--redis', 'redis://:pw@r:6379', '--redis-password-file', file('other')]).code).toBe('CONFLICT');
    expect(failure(['--node-name', 'eu-1']).message).toBe('--node-name is for a cluster: give --redis too.');
    expect(failure(['--redis', 'redis://r', '--node-name', 'a b']).message).toMatch(/^--node-name must be 1-64/);
    // A password in a bad URL is not echoed back.
    expect(failure(['--redis', 'redis://user:hunter2@[bad']).message).not.toContain('hunter2');
  });

  it('says where a bad value came from', () => {
    expect(failure([], { FERRY_SIGNAL_ALIVE_TIMEOUT: 'soon' }).message).toMatch(/--alive-timeout .* not "soon" \(from FERRY_SIGNAL_ALIVE_TIMEOUT\)\./);
  });
});

describe('ferry-signal token', () => {
  it('parses the peer, the lifetime and the secret from the usual sources', () => {
    const secret = file('a-token-secret-of-enough-length\n');
    expect(parseCli(['token', '--peer', 'ferry-abcdefghijklmnop', '--ttl', '1h', '--token-secret-file', secret], {})).toEqual({
      kind: 'token',
      peerId: 'ferry-abcdefghijklmnop',
      ttlMs: 3_600_000,
      secret: 'a-token-secret-of-enough-length',
    });
    expect(parseCli(['token', '--peer', 'ferry-abcdefghijklmnop', '--config', config({ 'token-secret': 'a-token-secret-of-enough-length' })], {})).toMatchObject({
      ttlMs: 86_400_000,
    });
    expect(() => parseCli(['token', '--peer', 'bob'], { FERRY_SIGNAL_TOKEN_SECRET: 'a-token-secret-of-enough-length' })).toThrow(/--peer must be/);
    expect(() => parseCli(['token', '--peer', 'ferry-abcdefghijklmnop'], {})).toThrow(/needs the server's --token-secret/);
  });
});
