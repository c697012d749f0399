import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AccessPolicy, MIN_SECRET_LENGTH } from './access-token.js';
import { UsageError } from './config-error.js';
import { readConfigFile } from './config-file.js';
import { DEFAULTS, TURN_TTL_BOUNDS } from './defaults.js';
import { parseDuration } from './durations.js';
import { iceServersFromStunUrls } from './ice.js';
import { OPTION_TABLE, type OptionName } from './option-table.js';
import { isPeerId, PEER_ID_DESCRIPTION } from './peer-id.js';
import type { SignalingServerOptions } from './server.js';
import { isTurnUrl } from './turn-credentials.js';
import { bundledWebPage } from './web-page.js';

export { UsageError } from './config-error.js';
export { helpText, OPTION_TABLE } from './option-table.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; server: SignalingServerOptions; logLevel: LogLevel; statusToken?: string }
  | { kind: 'token'; secret: string; peerId: string; ttlMs: number };

/** Where a value came from; higher wins. */
const enum Level {
  None = 0,
  File = 1,
  Env = 2,
  Flag = 3,
}

/** One option's value from flags, environment and config file, by precedence. */
class OptionSource {
  constructor(
    private readonly flags: Readonly<Record<string, string | boolean | undefined>>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: ReadonlyMap<OptionName, string> | undefined,
    private readonly fileName: string | undefined,
  ) {}

  level(flag: OptionName): Level {
    if (typeof this.flags[flag] === 'string') return Level.Flag;
    const fromEnv = this.env[envName(flag)];
    if (fromEnv !== undefined && fromEnv !== '') return Level.Env;
    return this.file?.has(flag) ? Level.File : Level.None;
  }

  get(flag: OptionName): string | undefined {
    switch (this.level(flag)) {
      case Level.Flag:
        return this.flags[flag] as string;
      case Level.Env:
        return this.env[envName(flag)];
      case Level.File:
        return this.file?.get(flag);
      default:
        return undefined;
    }
  }

  /** " (from FERRY_SIGNAL_PORT)", " (in /etc/ferry.json)", or "" for a flag. */
  where(flag: OptionName): string {
    switch (this.level(flag)) {
      case Level.Env:
        return ` (from ${envName(flag)})`;
      case Level.File:
        return ` (in ${this.fileName})`;
      default:
        return '';
    }
  }

  bad(flag: OptionName, message: string, cause?: unknown): UsageError {
    return new UsageError('BAD_VALUE', `--${flag}${message}${this.where(flag)}`.replace(/\.?$/, '.'), flag, { cause });
  }
}

function envName(flag: OptionName): string {
  return (OPTION_TABLE.find((o) => o.flag === flag) as { env: string }).env;
}

function parseFlags(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as Record<string, string | boolean | undefined>;
  } catch (cause) {
    throw new UsageError('BAD_USAGE', `${(cause as Error).message.split('\n')[0]}. Run ferry-signal --help.`, undefined, { cause });
  }
}

function sourceFor(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): OptionSource {
  const fromFlag = flags.config;
  const configFile = typeof fromFlag === 'string' ? fromFlag : env.FERRY_SIGNAL_CONFIG || undefined;
  return new OptionSource(flags, env, configFile === undefined ? undefined : readConfigFile(configFile), configFile);
}

/** Parses flags, environment and config file into a command. Throws UsageError on anything wrong. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  if (argv[0] === 'token') return parseTokenCommand(argv.slice(1), env);
  const flags = parseFlags(argv, {
    ...Object.fromEntries(OPTION_TABLE.map((o) => [o.flag, { type: 'string' as const }])),
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  });
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  const source = sourceFor(flags, env);
  const logLevel = source.get('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw source.bad('log-level', ` must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  const statusToken = secret(source, 'status-token', 'status-token-file');
  return { kind: 'serve', server: serverOptions(source), logLevel: logLevel as LogLevel, ...(statusToken === undefined ? {} : { statusToken }) };
}

function serverOptions(source: OptionSource): SignalingServerOptions {
  const server: SignalingServerOptions = {};
  const port = source.get('port');
  if (port !== undefined) server.port = wholeNumber(source, 'port', port, 0, 65_535);
  const host = source.get('host');
  if (host !== undefined) {
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw source.bad('host', ` "${host}" is not an address`);
    server.host = host;
  }
  const path = source.get('path');
  if (path !== undefined) {
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) throw source.bad('path', ` must start with "/" and use URL-safe characters, not "${path}"`);
    server.path = path;
  }
  const key = source.get('key');
  if (key !== undefined) {
    if (!/^[A-Za-z0-9._~-]{1,128}$/.test(key)) throw source.bad('key', ' must be 1-128 URL-safe characters');
    server.key = key;
  }
  const certFile = source.get('tls-cert');
  const keyFile = source.get('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('MISSING', '--tls-cert and --tls-key go together: give both or neither.', certFile === undefined ? 'tls-cert' : 'tls-key');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    server.tls = { cert: readFile(source, 'tls-cert', certFile), key: readFile(source, 'tls-key', keyFile) };
  }
  const origins = source.get('allowed-origins');
  if (origins !== undefined) {
    const list = splitList(origins);
    for (const origin of list) {
      if (!/^https?:\/\/[^/\s]+$|^file:\/\/$|^null$/.test(origin)) {
        throw source.bad('allowed-origins', `: "${origin}" is not an origin like https://example.org`);
      }
    }
    server.allowedOrigins = list;
  }
  const proxies = source.get('trust-proxy');
  if (proxies !== undefined) {
    const list = splitList(proxies);
    for (const address of list) {
      if (isIP(address) === 0) throw source.bad('trust-proxy', `: "${address}" is not an IP address (list each proxy's address, e.g. 127.0.0.1,::1)`);
    }
    server.trustedProxies = list;
  }
  const access = accessPolicy(source);
  if (access !== undefined) server.access = access;
  const stun = source.get('stun');
  if (stun !== undefined) {
    try {
      server.iceServers = iceServersFromStunUrls(splitList(stun));
    } catch (cause) {
      throw source.bad('stun', `: ${(cause as Error).message}`, cause);
    }
  }
  const turn = turnOptions(source);
  if (turn !== undefined) server.turn = turn;
  const maxPeers = source.get('max-peers');
  if (maxPeers !== undefined) server.maxPeers = wholeNumber(source, 'max-peers', maxPeers, 1, 1_000_000);
  const limits: NonNullable<SignalingServerOptions['limits']> = {};
  const ipConnections = source.get('ip-connections');
  if (ipConnections !== undefined) limits.connectionsPerAddress = wholeNumber(source, 'ip-connections', ipConnections, 0, 1_000_000);
  const rate = source.get('ip-message-rate');
  if (rate !== undefined) limits.messagesPerSecond = wholeNumber(source, 'ip-message-rate', rate, 0, 1_000_000);
  const burst = source.get('ip-message-burst');
  if (burst !== undefined) limits.messageBurst = wholeNumber(source, 'ip-message-burst', burst, 1, 1_000_000);
  if (Object.keys(limits).length > 0) server.limits = limits;
  const queue: NonNullable<SignalingServerOptions['queue']> = {};
  const queueLimit = source.get('queue-limit');
  if (queueLimit !== undefined) queue.limit = wholeNumber(source, 'queue-limit', queueLimit, 0, 100_000);
  const queueTimeout = source.get('queue-timeout');
  if (queueTimeout !== undefined) queue.timeoutMs = duration(source, 'queue-timeout', queueTimeout, 1_000, 600_000);
  if (Object.keys(queue).length > 0) server.queue = queue;
  const maxBytes = source.get('max-message-bytes');
  if (maxBytes !== undefined) server.maxMessageBytes = wholeNumber(source, 'max-message-bytes', maxBytes, 1024, 1_048_576);
  const alive = source.get('alive-timeout');
  if (alive !== undefined) server.aliveTimeoutMs = duration(source, 'alive-timeout', alive, 1_000, 3_600_000);
  const listPeers = source.get('list-peers');
  if (listPeers !== undefined) {
    if (!/^(yes|no)$/.test(listPeers)) throw source.bad('list-peers', ` must be yes or no, not "${listPeers}"`);
    server.listPeers = listPeers === 'yes';
  }
  const webPage = source.get('web-page');
  if (webPage !== undefined && webPage !== 'no') {
    const dir = webPage === 'yes' ? bundledWebPage() : webPage;
    if (!dir) throw source.bad('web-page', ': the browser page is not built here (npm run build:web), so it cannot be served');
    if (!existsSync(join(dir, 'index.html'))) throw source.bad('web-page', `: ${dir} holds no index.html`);
    server.webPage = dir;
  }
  const redis = redisOptions(source);
  if (redis !== undefined) server.redis = redis;
  return server;
}

function redisOptions(source: OptionSource): SignalingServerOptions['redis'] {
  const url = source.get('redis');
  const passwordFile = source.get('redis-password-file');
  const nodeName = source.get('node-name');
  if (url === undefined) {
    if (passwordFile !== undefined || nodeName !== undefined) {
      throw new UsageError('MISSING', `--${passwordFile !== undefined ? 'redis-password-file' : 'node-name'} is for a cluster: give --redis too.`, 'redis');
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw source.bad('redis', `: "${url.replace(/\/\/[^@/]*@/, '//***@')}" is not a URL like redis://host:6379/0`, cause);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw source.bad('redis', ' must start with redis:// or rediss://');
  if (!/^\/?\d{0,2}$/.test(parsed.pathname)) throw source.bad('redis', `: the path names a database number (/0 to /15), not "${parsed.pathname}"`);
  if (nodeName !== undefined && !/^[A-Za-z0-9.-]{1,64}$/.test(nodeName)) throw source.bad('node-name', ` must be 1-64 letters, digits, dots or dashes, not "${nodeName}"`);
  const password = passwordFile === undefined ? undefined : readFile(source, 'redis-password-file', passwordFile).toString('utf8').replace(/\s+$/, '');
  if (password !== undefined && parsed.password !== '') {
    throw new UsageError('CONFLICT', '--redis already carries a password and --redis-password-file gives another; give one.', 'redis-password-file');
  }
  return { url, ...(password === undefined ? {} : { password }), ...(nodeName === undefined ? {} : { nodeId: nodeName }) };
}

function accessPolicy(source: OptionSource): AccessPolicy | undefined {
  const token = secret(source, 'token', 'token-file');
  const tokenSecret = secret(source, 'token-secret', 'token-secret-file');
  if (token !== undefined && tokenSecret !== undefined) {
    throw new UsageError('CONFLICT', '--token and --token-secret exclude each other: one shared token, or per-device tokens from a secret.', 'token');
  }
  if (token !== undefined) return { kind: 'shared', token };
  if (tokenSecret !== undefined) return { kind: 'hmac', secret: tokenSecret };
  return undefined;
}

function turnOptions(source: OptionSource): SignalingServerOptions['turn'] {
  const urls = source.get('turn-url');
  const turnSecret = secret(source, 'turn-secret', 'turn-secret-file', 1);
  if (urls === undefined && turnSecret === undefined) return undefined;
  if (urls === undefined) throw new UsageError('MISSING', '--turn-secret needs --turn-url: the TURN servers the credentials are for.', 'turn-url');
  if (turnSecret === undefined) {
    throw new UsageError('MISSING', '--turn-url needs --turn-secret or --turn-secret-file: the TURN server\'s static-auth-secret.', 'turn-secret');
  }
  const list = splitList(urls);
  if (list.length === 0) throw source.bad('turn-url', ' is empty');
  for (const url of list) {
    if (!isTurnUrl(url)) throw source.bad('turn-url', `: "${url}" is not a TURN URL (expected e.g. turn:turn.example.org:3478 or turns:turn.example.org:5349)`);
  }
  const ttl = source.get('turn-ttl');
  const ttlMs = ttl === undefined ? undefined : duration(source, 'turn-ttl', ttl, TURN_TTL_BOUNDS.minSeconds * 1000, TURN_TTL_BOUNDS.maxSeconds * 1000);
  return { urls: list, secret: turnSecret, ttlSeconds: ttlMs === undefined ? DEFAULTS.turnTtlSeconds : Math.floor(ttlMs / 1000) };
}

/**
 * A secret given directly or as a file (so it need not appear in `ps` or the unit file). The
 * pair is one setting: the higher-precedence source wins; both at the same level is an error.
 */
function secret(source: OptionSource, flag: OptionName, fileFlag: OptionName, minLength = MIN_SECRET_LENGTH): string | undefined {
  const direct = source.level(flag);
  const viaFile = source.level(fileFlag);
  if (direct !== Level.None && direct === viaFile) {
    throw new UsageError('CONFLICT', `--${flag} and --${fileFlag} are both set${source.where(flag)}; give one.`, flag);
  }
  let value: string | undefined;
  let named: OptionName = flag;
  if (viaFile > direct) {
    named = fileFlag;
    // Files end with a newline; secrets do not.
    value = readFile(source, fileFlag, source.get(fileFlag) as string).toString('utf8').replace(/\s+$/, '');
  } else {
    value = source.get(flag);
  }
  if (value === undefined) return undefined;
  if (value.length < minLength) {
    throw source.bad(named, minLength === 1 ? ' is empty' : ` must be at least ${minLength} characters (try: openssl rand -base64 32)`);
  }
  return value;
}

function wholeNumber(source: OptionSource, flag: OptionName, text: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw source.bad(flag, ` must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

function duration(source: OptionSource, flag: OptionName, text: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw source.bad(flag, ` must be a duration like 90s, 5m or 1h, from ${minMs / 1000}s to ${maxMs / 1000}s, not "${text}"`);
  }
  return ms;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function readFile(source: OptionSource, flag: OptionName, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError('UNREADABLE_FILE', `--${flag}: cannot read "${file}": ${code}${source.where(flag)}.`, flag, { cause });
  }
}

/** Longest lifetime `ferry-signal token` mints: a token cannot be revoked but by a new secret. */
const MAX_TOKEN_TTL_MS = 400 * 86_400_000;

function parseTokenCommand(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const flags = parseFlags(argv, {
    peer: { type: 'string' },
    ttl: { type: 'string' },
    'token-secret': { type: 'string' },
    'token-secret-file': { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (flags.help) return { kind: 'help' };
  const source = sourceFor(flags, env);
  const peerId = flags.peer;
  if (typeof peerId !== 'string' || !isPeerId(peerId)) {
    throw new UsageError('BAD_VALUE', `ferry-signal token: --peer must be the device's peer id, ${PEER_ID_DESCRIPTION}.`, 'peer');
  }
  const ttlText = typeof flags.ttl === 'string' ? flags.ttl : '24h';
  const ttlMs = parseDuration(ttlText);
  if (ttlMs === undefined || ttlMs < 60_000 || ttlMs > MAX_TOKEN_TTL_MS) {
    throw new UsageError('BAD_VALUE', `ferry-signal token: --ttl must be a duration like 1h or 30d, from 1m to 400d, not "${ttlText}".`, 'ttl');
  }
  const tokenSecret = secret(source, 'token-secret', 'token-secret-file');
  if (tokenSecret === undefined) {
    throw new UsageError('MISSING', 'ferry-signal token: needs the server\'s --token-secret (or --token-secret-file, FERRY_SIGNAL_TOKEN_SECRET, or --config).', 'token-secret');
  }
  return { kind: 'token', secret: tokenSecret, peerId, ttlMs };
}
