import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { iceServersFromStunUrls } from './ice.js';
import type { SignalingServerOptions } from './server.js';

/** Bad configuration: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Every option, with its flag, its environment variable and its help line. */
export const OPTION_TABLE = [
  { flag: 'port', env: 'FERRY_SIGNAL_PORT', value: 'N', help: 'TCP port (0 = any free port). Default 9000.' },
  { flag: 'host', env: 'FERRY_SIGNAL_HOST', value: 'ADDR', help: 'Interface to bind. Default 0.0.0.0.' },
  { flag: 'path', env: 'FERRY_SIGNAL_PATH', value: 'PATH', help: 'Where the PeerJS API is mounted. Default /.' },
  { flag: 'key', env: 'FERRY_SIGNAL_KEY', value: 'KEY', help: 'PeerJS API key clients must send. Default peerjs.' },
  { flag: 'tls-cert', env: 'FERRY_SIGNAL_TLS_CERT', value: 'FILE', help: 'PEM certificate: serve https/wss (needs --tls-key).' },
  { flag: 'tls-key', env: 'FERRY_SIGNAL_TLS_KEY', value: 'FILE', help: 'PEM private key for --tls-cert.' },
  { flag: 'allowed-origins', env: 'FERRY_SIGNAL_ALLOWED_ORIGINS', value: 'LIST', help: 'Comma-separated browser origins allowed. Default: any.' },
  { flag: 'stun', env: 'FERRY_SIGNAL_STUN', value: 'LIST', help: 'Comma-separated STUN URLs that GET /ice hands out. Default: none.' },
  { flag: 'list-peers', env: 'FERRY_SIGNAL_LIST_PEERS', value: 'yes|no', help: 'GET /nearby lists the connected peer ids (for a LAN). Default no.' },
  { flag: 'log-level', env: 'FERRY_SIGNAL_LOG_LEVEL', value: 'LEVEL', help: 'fatal|error|warn|info|debug|trace|silent. Default info.' },
] as const;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; server: SignalingServerOptions; logLevel: LogLevel };

export function helpText(): string {
  const rows = OPTION_TABLE.map(
    (o) => `  --${`${o.flag} ${o.value}`.padEnd(24)} ${o.help}\n  ${''.padEnd(26)} env ${o.env}`,
  );
  return [
    'Usage: ferry-signal [options]',
    '',
    "Ferry's signaling server: introduces Ferry devices to each other (PeerJS protocol).",
    'File data never passes through it. Flags win over environment variables.',
    '',
    'Options:',
    ...rows,
    '  --help                     Show this help.',
    '  --version                  Print the version.',
    '',
    'Endpoints: GET /health, GET /ice, GET /nearby (with --list-peers yes), PeerJS at <path> (WebSocket <path>peerjs).',
    '',
  ].join('\n');
}

/** Parses flags and environment into server options. Throws UsageError on anything wrong. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(OPTION_TABLE.map((o) => [o.flag, { type: 'string' as const }])),
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    }).values;
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message.split('\n')[0]}. Run ferry-signal --help.`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const get = (flag: (typeof OPTION_TABLE)[number]['flag']): string | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const entry = OPTION_TABLE.find((o) => o.flag === flag);
    const fromEnv = entry ? env[entry.env] : undefined;
    return fromEnv === '' ? undefined : fromEnv;
  };

  const server: SignalingServerOptions = {};
  const port = get('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      throw new UsageError(`--port must be a whole number from 0 to 65535, not "${port}".`);
    }
    server.port = Number(port);
  }
  const host = get('host');
  if (host !== undefined) {
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new UsageError(`--host "${host}" is not an address.`);
    server.host = host;
  }
  const path = get('path');
  if (path !== undefined) {
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(path)) {
      throw new UsageError(`--path must start with "/" and use URL-safe characters, not "${path}".`);
    }
    server.path = path;
  }
  const key = get('key');
  if (key !== undefined) {
    if (!/^[A-Za-z0-9._~-]{1,128}$/.test(key)) {
      throw new UsageError('--key must be 1-128 URL-safe characters.');
    }
    server.key = key;
  }
  const certFile = get('tls-cert');
  const keyFile = get('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both or neither.');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    server.tls = { cert: readPem(certFile, '--tls-cert'), key: readPem(keyFile, '--tls-key') };
  }
  const origins = get('allowed-origins');
  if (origins !== undefined) {
    const list = splitList(origins);
    for (const origin of list) {
      if (!/^https?:\/\/[^/\s]+$|^file:\/\/$|^null$/.test(origin)) {
        throw new UsageError(`--allowed-origins: "${origin}" is not an origin like https://example.org.`);
      }
    }
    server.allowedOrigins = list;
  }
  const stun = get('stun');
  if (stun !== undefined) {
    try {
      server.iceServers = iceServersFromStunUrls(splitList(stun));
    } catch (cause) {
      throw new UsageError(`--stun: ${(cause as Error).message}`);
    }
  }
  const listPeers = get('list-peers');
  if (listPeers !== undefined) {
    if (!/^(yes|no)$/.test(listPeers)) throw new UsageError(`--list-peers must be yes or no, not "${listPeers}".`);
    server.listPeers = listPeers === 'yes';
  }
  const logLevel = get('log-level') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  }
  return { kind: 'serve', server, logLevel: logLevel as LogLevel };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new UsageError(`${flag}: cannot read "${file}": ${(cause as NodeJS.ErrnoException).code ?? cause}.`);
  }
}
