/*
 * Main's real services in their own Node process on a lab host, serving the renderer the same
 * typed contract as the preload does in the app, over a WebSocket instead of Electron IPC (one
 * contract, two transports). Calls are JSON text frames; a call with a byte-array argument (a
 * received chunk) is one binary frame: u32 header length, JSON header, the bytes. Main's events
 * (webContents.send in the app) are JSON text frames the other way: { event: <channel>, value }.
 * The OS opening a ferry:// link is simulated by a JSON line on stdin, { "openUrl": "...", "id": 1 },
 * answered on stdout; a link in the `argv` option is opened at start, like the app's command line.
 *   node --import tsx e2e/hosts/main-host.ts <json options>
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { WebSocket, WebSocketServer } from 'ws';
import { createIpcDispatcher } from '../../src-main/ipc/dispatcher.js';
import { createSenderCheck } from '../../src-main/security/trusted-sender.js';
import { RecordingPlatform } from '../../src-main/desktop/recording-platform.js';
import { startLanSource } from '../../src-main/lan/lan-source.js';
import { createMainServices } from '../../src-main/services.js';
import { SettingsStore } from '../../src-main/settings/store.js';
import { IdentityStore } from '../../src-main/identity/identity-store.js';
import { PairingLinkOutbox } from '../../src-main/deep-link/pairing-link-outbox.js';
import { findPairingLinkInArgv, parsePairingLink, type PairingLinkResult } from '../../src-main/deep-link/pairing-link-url.js';
import { FERRY_EVENTS } from '../../src-main/preload/channels.js';
import { fetchJsonWithTimeout } from '../../src-main/signaling/signaling-source.js';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type EngineLink, linkEngine } from '../../src-main/engine/engine-link.js';
import { HistoryStore } from '../../src-main/files/history-store.js';
import { OutgoingStore } from '../../src-main/files/outgoing-store.js';
import { childProcessPort, webSocketPort } from '../../src-node/engine-host/process-ports.js';
import { EngineClient } from '../../src-engine/remote/engine-client.js';
import type { EngineCommandName } from '../../src-engine/remote/engine-protocol.js';

interface Options {
  deviceName: string;
  signalingUrl: string;
  downloadDir: string;
  rendererUrl: string;
  /** Where settings persist (a file per host and test). */
  settingsFile: string;
  /** What the folder picker answers (absent: the user cancels). */
  pickFolderAnswer?: string;
  /** The system clipboard's text. */
  clipboardText?: string;
  /** Built-in LAN signaling (mDNS, election, loopback relay) instead of `signalingUrl`. */
  lan?: boolean;
  /** The signaling server's access token (the app's setting, or FERRY_SIGNALING_TOKEN). */
  signalingToken?: string;
  /** The command line the app was started with: a ferry:// link in it is opened as the app does. */
  argv?: string[];
  /** Run the engine in its own process (as the app's utility process), views reaching it over a WebSocket. */
  engine?: boolean;
  /** The engine's clock can be moved on from stdin: { "engineClock": <ms>, "id": 1 }. */
  engineClock?: boolean;
  /** The engine's WebRTC: node-datachannel as shipped, or @roamhq/wrtc (another stack, for conformance). */
  engineWebRtc?: 'node-datachannel' | 'wrtc' | 'taps';
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const token = randomBytes(16).toString('hex');
const settings = await SettingsStore.open({ file: options.settingsFile, defaultDeviceName: options.deviceName });
// The desktop is recorded: each event is a line on stdout the tests can wait for.
const desktop = new RecordingPlatform((event) => process.stdout.write(`${JSON.stringify({ event: 'desktop', desktop: event })}\n`));
const lan = options.lan ? await startLanSource({ log: (message) => process.stdout.write(`${JSON.stringify({ event: 'lan', message })}\n`) }) : undefined;
const signalingUrl = lan?.url ?? options.signalingUrl;
desktop.nextFolder = options.pickFolderAnswer ?? null;
desktop.clipboard = options.clipboardText ?? '';
// Pairing links go through the app's own modules: the same checks, the same keeping.
const pairingLinks = new PairingLinkOutbox();
const openPairingLink = (source: string, link: PairingLinkResult | undefined, id?: unknown) => {
  if (link?.ok) pairingLinks.offer(link.code);
  process.stdout.write(`${JSON.stringify({ event: 'open-url', source, id, ...(link ?? { ok: false, reason: 'no link' }) })}\n`);
};
const startLink = findPairingLinkInArgv(options.argv ?? []);
if (startLink) openPairingLink('the command line', startLink);
const services = createMainServices({
  settings,
  appVersion: '0.0.0-test',
  platform: 'linux',
  desktop,
  signalingConfig: async () => ({ url: signalingUrl, key: 'peerjs', iceServers: [], embedded: lan !== undefined, ...(options.signalingToken ? { token: options.signalingToken } : {}) }),
  defaultDownloadDir: options.downloadDir,
  lanStatus: () => lan?.status(),
  // The identity lives beside the settings, so a restarted host keeps its id.
  identity: await IdentityStore.open({ file: `${options.settingsFile}.identity.json` }),
  pairingLinks,
  // The app's own fetch, told on stdout: tests see each /ice request (TURN credentials) main made.
  fetchJson: async (url, timeoutMs, headers) => {
    const answer = await fetchJsonWithTimeout(url, timeoutMs, headers);
    const { expiresAt, iceServers } = (answer ?? {}) as { expiresAt?: unknown; iceServers?: Array<{ username?: unknown }> };
    const usernames = Array.isArray(iceServers) ? iceServers.map((s) => s.username).filter((u) => typeof u === 'string') : [];
    process.stdout.write(`${JSON.stringify({ event: 'ice-fetched', url, expiresAt, usernames })}\n`);
    return answer;
  },
  warn: (message) => process.stdout.write(`${JSON.stringify({ event: 'warn', message })}\n`),
  grantPaths: async (paths) => {
    if (!engineLink.current) throw new Error('The engine is not running.');
    return engineLink.current.grantPaths(paths);
  },
});
const engineLink: { current?: EngineLink } = {};
const engineChild: { current?: ChildProcess } = {};
const dispatch = createIpcDispatcher(services, createSenderCheck(options.rendererUrl));

/**
 * The engine in a child process, as main starts it in a utility process (src-main/engine): main's
 * services served to it over the IPC channel, the same link as the app's.
 */
async function startEngine(): Promise<{ port: number; token: string; pid: number }> {
  const child = fork(fileURLToPath(new URL('./engine-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(options.engineClock ? { FERRY_TEST_CLOCK: '1' } : {}), ...(options.engineWebRtc === 'wrtc' || options.engineWebRtc === 'taps' ? { FERRY_TEST_WEBRTC: options.engineWebRtc } : {}) },
  });
  engineChild.current = child;
  process.on('exit', () => child.kill('SIGKILL'));
  const link = linkEngine(childProcessPort(child), {
    services,
    settings,
    savedPaths: services.downloads.savedPaths,
    outgoing: await OutgoingStore.open(`${options.settingsFile}.outgoing.json`),
    history: await HistoryStore.open(`${options.settingsFile}.history.json`),
    // Told, for the tests' logs (the app restarts such an engine; the lab does not).
    unresponsive: () => process.stdout.write(`${JSON.stringify({ event: 'engine-unresponsive', pid: child.pid })}\n`),
  });
  engineLink.current = link;
  const listening = new Promise<{ port: number; token: string }>((resolve, reject) => {
    link.onNote('view-socket', (value) => resolve(value as { port: number; token: string }));
    child.once('exit', (code) => reject(new Error(`the engine exited (${code}) before it listened`)));
  });
  child.once('exit', (code, signal) => process.stdout.write(`${JSON.stringify({ event: 'engine-exited', code, signal })}\n`));
  return { ...(await listening), pid: child.pid as number };
}
const engine = options.engine ? await startEngine() : undefined;

/** Tests without a window drive the engine as a view would: over its WebSocket, from stdin. */
async function engineDriver(where: { port: number; token: string }): Promise<EngineClient> {
  const socket = new WebSocket(`ws://127.0.0.1:${where.port}/?token=${where.token}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return new EngineClient(webSocketPort(socket));
}
const driver = engine ? await engineDriver(engine) : undefined;
// The signaling state as the view sees it, each change a line: a failing test shows the story.
if (driver) {
  let last = '';
  driver.subscribe(() => {
    const signaling = driver.getSnapshot().signaling;
    const now = JSON.stringify(signaling ?? null);
    if (now === last) return;
    last = now;
    process.stdout.write(`${JSON.stringify({ event: 'signaling', signaling })}\n`);
  });
}

// A byte-array argument arrives in a binary frame; everything else as JSON.
type Call = { id: number; method: string; args: unknown[]; bytesAt?: number };

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 2 * 1024 * 1024,
  verifyClient: ({ req }: { req: { url?: string } }) => new URL(req.url ?? '/', 'http://x').searchParams.get('token') === token,
});
// webContents.send: to the page (each socket is one, admitted by the token), once it listens.
pairingLinks.connect((code) => {
  const open = [...server.clients].filter((client) => client.readyState === WebSocket.OPEN);
  for (const client of open) client.send(JSON.stringify({ event: FERRY_EVENTS.onPairingLink.channel, value: code }));
  return open.length > 0;
});
server.on('connection', (socket, request) => {
  // A closed page is a reloaded or gone window: keep links until a page listens again.
  socket.on('close', () => pairingLinks.stopListening());
  // The WebSocket's Origin stands in for Electron's sender frame URL (top frame only: the test
  // page has no frames).
  const frameUrl = request.headers.origin ? `${request.headers.origin}/` : undefined;
  socket.on('message', (data, isBinary) => {
    let call: Call;
    try {
      if (isBinary) {
        const buffer = data as Buffer;
        const headerLength = buffer.readUInt32BE(0);
        call = JSON.parse(buffer.subarray(4, 4 + headerLength).toString('utf8')) as Call;
        const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + 4 + headerLength, buffer.length - 4 - headerLength);
        if (call.bytesAt !== undefined) call.args[call.bytesAt] = bytes;
      } else {
        call = JSON.parse(String(data)) as Call;
      }
    } catch {
      socket.close(1003, 'unreadable call');
      return;
    }
    void dispatch(call.method, { frameUrl, isMainFrame: true }, call.args).then((result) =>
      socket.send(JSON.stringify({ id: call.id, result })),
    );
  });
});
server.on('listening', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: address.port, token, signalingUrl, engine })}\n`);
});
// The OS opening a link while Ferry runs (macOS open-url, or a second instance's command line).
createInterface({ input: process.stdin }).on('line', (line) => {
  let request: { openUrl?: unknown; id?: unknown; engine?: unknown; name?: unknown; args?: unknown; engineClock?: unknown; grant?: unknown; inject?: { channel?: unknown; base64?: unknown } };
  try {
    request = JSON.parse(line) as typeof request;
  } catch {
    return;
  }
  if (typeof request.openUrl === 'string') openPairingLink('open-url', parsePairingLink(request.openUrl), request.id);
  // What the preload does for a pick or a drop: main grants the paths to the engine.
  if (Array.isArray(request.grant)) {
    const { id } = request;
    void dispatch('grantPaths', { frameUrl: options.rendererUrl, isMainFrame: true }, [request.grant]).then((result) =>
      process.stdout.write(`${JSON.stringify({ event: 'granted', id, result })}\n`),
    );
  }
  if (request.inject !== undefined) {
    engineChild.current?.send({ t: 'test-inject', channel: request.inject.channel, base64: request.inject.base64 });
    process.stdout.write(`${JSON.stringify({ event: 'injected', id: request.id })}\n`);
  }
  if (typeof request.engineClock === 'number') {
    engineChild.current?.send({ t: 'test-clock', advanceMs: request.engineClock });
    process.stdout.write(`${JSON.stringify({ event: 'engine-clock', id: request.id })}\n`);
  }
  if (request.engine === 'snapshot' && driver) {
    process.stdout.write(`${JSON.stringify({ event: 'engine-snapshot', id: request.id, snapshot: driver.getSnapshot() })}\n`);
  }
  if (request.engine === 'command' && driver) {
    const { id } = request;
    const run = driver.command.bind(driver) as (name: EngineCommandName, ...args: unknown[]) => Promise<unknown>;
    void run(request.name as EngineCommandName, ...((request.args as unknown[]) ?? [])).then(
      (value) => process.stdout.write(`${JSON.stringify({ event: 'engine-result', id, ok: true, value })}\n`),
      (error: Error & { code?: string }) => process.stdout.write(`${JSON.stringify({ event: 'engine-result', id, ok: false, code: error.code, message: error.message })}\n`),
    );
  }
});
process.on('SIGTERM', () => {
  // The app quitting: the engine closes its connections first (bounded), then main goes.
  const child = engineChild.current;
  const engineGone =
    child && child.exitCode === null
      ? new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(resolve, 3000).unref();
        })
      : Promise.resolve();
  void Promise.all([engineGone, services.downloads.abortAll(), lan?.close()]).finally(() => process.exit(0));
});
