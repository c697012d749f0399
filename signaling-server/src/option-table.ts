import { DEFAULTS } from './defaults.js';
import { formatDuration } from './durations.js';

export interface OptionSpec {
  /** Flag name without "--"; also the key in a --config file. */
  readonly flag: string;
  readonly env: string;
  /** Placeholder for the value in help and docs. */
  readonly value: string;
  readonly default: string;
  readonly help: string;
  /** Whether a --config file may set it (not --config itself). */
  readonly inFile: boolean;
}

/**
 * Every option of `ferry-signal`: its flag, its environment variable, its config-file key (the
 * flag's name), its default and its help. --help and docs/self-hosting.md are generated from
 * this table (option-table.test.ts fails when the docs disagree).
 */
export const OPTION_TABLE = [
  { flag: 'config', env: 'FERRY_SIGNAL_CONFIG', value: 'FILE', default: 'none', inFile: false, help: 'JSON file of options: keys are the flag names below, values strings, numbers, booleans or lists. Flags and environment win over it.' },
  { flag: 'port', env: 'FERRY_SIGNAL_PORT', value: 'N', default: String(DEFAULTS.port), inFile: true, help: 'TCP port (0 = any free port).' },
  { flag: 'host', env: 'FERRY_SIGNAL_HOST', value: 'ADDR', default: DEFAULTS.host, inFile: true, help: 'Interface to bind.' },
  { flag: 'path', env: 'FERRY_SIGNAL_PATH', value: 'PATH', default: DEFAULTS.path, inFile: true, help: 'Where the PeerJS API is mounted (its WebSocket is <path>peerjs).' },
  { flag: 'key', env: 'FERRY_SIGNAL_KEY', value: 'KEY', default: DEFAULTS.key, inFile: true, help: 'PeerJS API key clients must send.' },
  { flag: 'tls-cert', env: 'FERRY_SIGNAL_TLS_CERT', value: 'FILE', default: 'none', inFile: true, help: 'PEM certificate: serve https/wss (needs --tls-key).' },
  { flag: 'tls-key', env: 'FERRY_SIGNAL_TLS_KEY', value: 'FILE', default: 'none', inFile: true, help: 'PEM private key for --tls-cert.' },
  { flag: 'allowed-origins', env: 'FERRY_SIGNAL_ALLOWED_ORIGINS', value: 'LIST', default: 'any', inFile: true, help: 'Comma-separated browser origins allowed; others get 403 (HTTP) or close 4403 (WebSocket). Clients that send no Origin (apps) are not affected.' },
  { flag: 'trust-proxy', env: 'FERRY_SIGNAL_TRUST_PROXY', value: 'LIST', default: 'none', inFile: true, help: 'Comma-separated addresses of your reverse proxies: X-Forwarded-For from them names the client for per-address limits and logs. From anyone else it is ignored.' },
  { flag: 'token', env: 'FERRY_SIGNAL_TOKEN', value: 'TOKEN', default: 'none', inFile: true, help: 'Shared access token (16+ characters) every client must send: PeerJS "token", and Authorization: Bearer for /ice.' },
  { flag: 'token-file', env: 'FERRY_SIGNAL_TOKEN_FILE', value: 'FILE', default: 'none', inFile: true, help: 'Read --token from this file.' },
  { flag: 'token-secret', env: 'FERRY_SIGNAL_TOKEN_SECRET', value: 'SECRET', default: 'none', inFile: true, help: 'Secret (16+ characters) for per-device access tokens with an expiry, minted by "ferry-signal token". Instead of --token.' },
  { flag: 'token-secret-file', env: 'FERRY_SIGNAL_TOKEN_SECRET_FILE', value: 'FILE', default: 'none', inFile: true, help: 'Read --token-secret from this file.' },
  { flag: 'stun', env: 'FERRY_SIGNAL_STUN', value: 'LIST', default: 'none', inFile: true, help: 'Comma-separated STUN URLs GET /ice hands out.' },
  { flag: 'turn-url', env: 'FERRY_SIGNAL_TURN_URL', value: 'LIST', default: 'none', inFile: true, help: 'Comma-separated turn:/turns: URLs GET /ice hands out with short-lived credentials (needs a TURN secret).' },
  { flag: 'turn-secret', env: 'FERRY_SIGNAL_TURN_SECRET', value: 'SECRET', default: 'none', inFile: true, help: "The TURN server's shared secret (coturn: static-auth-secret with use-auth-secret)." },
  { flag: 'turn-secret-file', env: 'FERRY_SIGNAL_TURN_SECRET_FILE', value: 'FILE', default: 'none', inFile: true, help: 'Read --turn-secret from this file.' },
  { flag: 'turn-ttl', env: 'FERRY_SIGNAL_TURN_TTL', value: 'DURATION', default: formatDuration(DEFAULTS.turnTtlSeconds * 1000), inFile: true, help: 'Lifetime of TURN credentials, 1m to 24h (e.g. 90s, 30m, 1h; a bare number is seconds).' },
  { flag: 'max-peers', env: 'FERRY_SIGNAL_MAX_PEERS', value: 'N', default: String(DEFAULTS.maxPeers), inFile: true, help: 'Peers registered at once (with --redis: across the cluster); more are refused (close 4503).' },
  { flag: 'ip-connections', env: 'FERRY_SIGNAL_IP_CONNECTIONS', value: 'N', default: String(DEFAULTS.ipConnections), inFile: true, help: 'WebSocket connections open at once per client address; more are refused (close 4429). 0 = no limit.' },
  { flag: 'ip-message-rate', env: 'FERRY_SIGNAL_IP_MESSAGE_RATE', value: 'N', default: String(DEFAULTS.ipMessagesPerSecond), inFile: true, help: 'Messages per second per client address, sustained; a socket that goes over is closed (4429). 0 = no limit.' },
  { flag: 'ip-message-burst', env: 'FERRY_SIGNAL_IP_MESSAGE_BURST', value: 'N', default: String(DEFAULTS.ipMessageBurst), inFile: true, help: 'Messages an address may send at once before the rate applies (the bucket size).' },
  { flag: 'queue-limit', env: 'FERRY_SIGNAL_QUEUE_LIMIT', value: 'N', default: String(DEFAULTS.queueLimit), inFile: true, help: 'Messages held for one peer that is not connected; more are dropped.' },
  { flag: 'queue-timeout', env: 'FERRY_SIGNAL_QUEUE_TIMEOUT', value: 'DURATION', default: formatDuration(DEFAULTS.queueTimeoutMs), inFile: true, help: 'How long messages wait for a peer that is not connected before the sender hears it is unavailable.' },
  { flag: 'max-message-bytes', env: 'FERRY_SIGNAL_MAX_MESSAGE_BYTES', value: 'N', default: String(DEFAULTS.maxMessageBytes), inFile: true, help: 'Largest WebSocket message, 1024 to 1048576; a larger one closes the socket (1009).' },
  { flag: 'alive-timeout', env: 'FERRY_SIGNAL_ALIVE_TIMEOUT', value: 'DURATION', default: formatDuration(DEFAULTS.aliveTimeoutMs), inFile: true, help: 'A socket that answers no ping, or a peer that sends no heartbeat, for this long is dropped (1s to 1h).' },
  { flag: 'list-peers', env: 'FERRY_SIGNAL_LIST_PEERS', value: 'yes|no', default: 'no', inFile: true, help: 'GET /nearby lists the connected peer ids (for a LAN).' },
  { flag: 'web-page', env: 'FERRY_SIGNAL_WEB_PAGE', value: 'yes|no|DIR', default: 'no', inFile: true, help: 'Serve the browser page at / (send and receive with a code from any browser): yes for the one built with this server (npm run build:web), or a folder.' },
  { flag: 'redis', env: 'FERRY_SIGNAL_REDIS', value: 'URL', default: 'none (this node alone)', inFile: true, help: 'Run as one node of a cluster on this Redis (redis://host:6379/0, or rediss:// for TLS): one id space, messages routed between nodes, limits across the cluster. Every node names the same Redis database.' },
  { flag: 'redis-password-file', env: 'FERRY_SIGNAL_REDIS_PASSWORD_FILE', value: 'FILE', default: 'none', inFile: true, help: "Read Redis's password from this file (instead of putting it in the --redis URL)." },
  { flag: 'node-name', env: 'FERRY_SIGNAL_NODE_NAME', value: 'NAME', default: 'host name + random suffix', inFile: true, help: 'This node\'s name in the cluster (/status, /health, logs); 1-64 letters, digits, dots, dashes. Unique per running node.' },
  { flag: 'status-token', env: 'FERRY_SIGNAL_STATUS_TOKEN', value: 'TOKEN', default: 'none (open, like /health)', inFile: true, help: 'Operator token for GET /metrics and /status (Authorization: Bearer, or the password of HTTP Basic in a browser).' },
  { flag: 'status-token-file', env: 'FERRY_SIGNAL_STATUS_TOKEN_FILE', value: 'FILE', default: 'none', inFile: true, help: 'Read --status-token from this file.' },
  { flag: 'log-level', env: 'FERRY_SIGNAL_LOG_LEVEL', value: 'LEVEL', default: 'info', inFile: true, help: 'fatal|error|warn|info|debug|trace|silent.' },
] as const satisfies readonly OptionSpec[];

export type OptionName = (typeof OPTION_TABLE)[number]['flag'];

export function optionSpec(flag: OptionName): OptionSpec {
  return OPTION_TABLE.find((o) => o.flag === flag) as OptionSpec;
}

export function helpText(): string {
  const rows = OPTION_TABLE.map(
    (o) => `  --${`${o.flag} ${o.value}`.padEnd(28)} ${o.help}\n  ${''.padEnd(30)} Default ${o.default}. Env ${o.env}.`,
  );
  return [
    'Usage: ferry-signal [options]',
    '       ferry-signal token --peer ID [--ttl DURATION] [--token-secret-file FILE | --config FILE]',
    '',
    "Ferry's signaling server: introduces Ferry devices to each other (PeerJS protocol).",
    'File data never passes through it. Each option can be a flag, an environment variable or a',
    'key in the --config file; a flag wins over the environment, which wins over the file.',
    '',
    'Options:',
    ...rows,
    `  ${'--help'.padEnd(30)} Show this help.`,
    `  ${'--version'.padEnd(30)} Print the version.`,
    '',
    'ferry-signal token prints a per-device access token for --token-secret: valid for peer id ID',
    'until DURATION from now (default 24h). The secret comes from the same flags, environment or file.',
    '',
    'Endpoints: GET /health, GET /ice[?peer=ID], GET /nearby (with --list-peers yes), GET / (the browser page, with --web-page), GET /metrics (Prometheus),',
    '  GET /status (live dashboard; events at /status/events), PeerJS at <path> (WebSocket <path>peerjs).',
    'Exit codes: 0 stopped cleanly, 1 cannot serve (e.g. port in use), 2 bad configuration.',
    '',
  ].join('\n');
}

/** The options table of docs/self-hosting.md, generated so the docs cannot drift. */
export function optionsMarkdownTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('<', '&lt;');
  return [
    '| flag / config key | environment | default | meaning |',
    '| --- | --- | --- | --- |',
    ...OPTION_TABLE.map((o) => `| \`--${o.flag} ${cell(o.value)}\` | \`${o.env}\` | ${cell(o.default)} | ${cell(o.help)} |`),
  ].join('\n');
}
