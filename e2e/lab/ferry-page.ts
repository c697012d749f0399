import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PairingLinkResult } from '../../src-main/deep-link/pairing-link-url.js';
import { FERRY_CHANNELS, FERRY_EVENTS } from '../../src-main/preload/channels.js';
import { buildContentSecurityPolicy } from '../../src-main/security/csp.js';
import type { LabHost } from './lab.js';
import type { TrackedProcess } from './processes.js';

/** Where the renderer appears in tests: a *.localhost origin is a secure context. */
export const RENDERER_ORIGIN = 'http://ferry.localhost';
const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface FerryPage {
  page: Page;
  context: BrowserContext;
  /** Main's services for this page, in their own process on the same lab host. */
  main: TrackedProcess;
  /** Console messages and page errors, for failure reports. */
  logs: string[];
}

export interface FerryPageOptions {
  deviceName: string;
  /** The signaling server; ignored with `lan` (main finds or hosts one on the LAN). */
  signalingUrl: string;
  /** Built-in LAN signaling: main uses mDNS and relays the page to the elected server. */
  lan?: boolean;
  /** The signaling server's access token. */
  signalingToken?: string;
  /** Where received files go; a fresh temporary folder by default. */
  downloadDir?: string;
  peerJsDebug?: 1 | 2 | 3;
  /** main's settings file; a fresh one (removed when main exits) by default. */
  settingsFile?: string;
  /** What main's (recorded) folder picker answers; by default the user cancels. */
  pickFolderAnswer?: string;
  /** The text on main's (recorded) clipboard. */
  clipboardText?: string;
  /** Playwright's clock in the page (time runs as usual until a test moves it on). */
  fakeClock?: boolean;
  /** Another built page instead of the app (a test page from out/test-pages). */
  page?: { dir: string; path: string };
  /** The command line the app is started with (say, with a ferry://pair/<code> link in it). */
  argv?: string[];
}

const MAIN_HOST = fileURLToPath(new URL('../hosts/main-host.ts', import.meta.url));

/**
 * Opens the built renderer in `browser` the way the app does, with main's real services running
 * in their own Node process on the same lab host and reached over a WebSocket in place of
 * Electron IPC: the same contract, the same sender check and argument validation, the same CSP.
 */
export async function openFerryPage(browser: Browser, host: LabHost, options: FerryPageOptions): Promise<FerryPage> {
  const pagesDir = options.page?.dir ?? RENDERER_DIR;
  const rendererUrl = `${RENDERER_ORIGIN}/${options.page?.path ?? 'index.html'}`;
  // A folder of our own (when the test gives none) is removed when main exits, like the settings.
  const ownDownloads = options.downloadDir ? undefined : mkdtempSync(join(tmpdir(), 'ferry-downloads-'));
  const downloadDir = options.downloadDir ?? (ownDownloads as string);
  const settingsDir = options.settingsFile ? undefined : mkdtempSync(join(tmpdir(), 'ferry-settings-'));
  const settingsFile = options.settingsFile ?? join(settingsDir as string, 'settings.json');
  const main = host.spawn(`main-${options.deviceName}`, process.execPath, [
    '--import',
    'tsx',
    MAIN_HOST,
    JSON.stringify({ deviceName: options.deviceName, signalingUrl: options.signalingUrl, downloadDir, rendererUrl, settingsFile, pickFolderAnswer: options.pickFolderAnswer, clipboardText: options.clipboardText, lan: options.lan, argv: options.argv, signalingToken: options.signalingToken }),
  ]);
  void main.exited.then(() => {
    for (const dir of [settingsDir, ownDownloads]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const { port, token, signalingUrl } = JSON.parse(await main.waitForLine(/"event":"listening"/, 30_000)) as { port: number; token: string; signalingUrl: string };
  const mainUrl = `ws://127.0.0.1:${port}/`;

  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const logs: string[] = [];
  const csp = buildContentSecurityPolicy({ connectTo: [signalingUrl, mainUrl] });

  await context.route(`${RENDERER_ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '');
    const file = join(pagesDir, relative);
    if (!file.startsWith(pagesDir) || relative.split(sep).includes('..')) {
      await route.fulfill({ status: 403, body: 'forbidden' });
      return;
    }
    try {
      const body = await readFile(file);
      await route.fulfill({
        status: 200,
        body,
        headers: {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'content-security-policy': csp,
        },
      });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });

  // Functions below are serialised into the page; under tsx (the benchmark) esbuild's keepNames
  // wraps them in calls to its `__name` helper, which the page must then have.
  await context.addInitScript('globalThis.__name ??= (target) => target;');
  // window.ferry over the WebSocket, built from the channel table: one function per message,
  // like the preload.
  const events = Object.entries(FERRY_EVENTS).map(([method, { channel, listen }]) => ({ method, channel, listen }));
  await context.addInitScript(installFerryOverWebSocket, { url: `${mainUrl}?token=${token}`, methods: Object.keys(FERRY_CHANNELS), events });
  if (options.peerJsDebug) {
    await context.addInitScript((level: number) => window.localStorage.setItem('ferry.debug', String(level)), options.peerJsDebug);
  }
  if (options.fakeClock) await context.clock.install();
  const page = await context.newPage();
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(rendererUrl);
  return { page, context, main, logs };
}

let nextLinkRequest = 1;

/**
 * The OS opens `url` with this page's app (macOS open-url, or a second start with the link on its
 * command line); resolves with what main made of it.
 */
export async function openLinkInMain(ferry: FerryPage, url: string, timeoutMs = 10_000): Promise<PairingLinkResult> {
  const id = nextLinkRequest++;
  const stdin = ferry.main.child.stdin;
  if (!stdin) throw new Error(`${ferry.main.label}: its stdin is not a pipe`);
  const answered = ferry.main.waitForLine(new RegExp(`"event":"open-url","source":"open-url","id":${id}[,}]`), timeoutMs, { fresh: true });
  stdin.write(`${JSON.stringify({ openUrl: url, id })}\n`);
  const { ok, code, reason } = JSON.parse(await answered) as { ok: boolean; code?: string; reason?: string };
  return ok ? { ok: true, code: code as string } : { ok: false, reason: reason as string };
}

/**
 * Runs in the page (serialised by Playwright): no closures over Node values. Events behave as
 * the preload's (src-main/preload/event-subscription.ts, restated here: the page cannot import):
 * the first subscription tells main the page listens, and a value that comes while nobody is
 * subscribed is kept for the next subscriber.
 */
function installFerryOverWebSocket({ url, methods, events }: { url: string; methods: string[]; events: Array<{ method: string; channel: string; listen: string }> }): void {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('main is unreachable')), { once: true });
  });
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  const onEvent = new Map<string, (value: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id: number; result: unknown } | { event: string; value: unknown };
    if ('event' in message) {
      onEvent.get(message.event)?.(message.value);
      return;
    }
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  const invoke = async (method: string, args: unknown[]): Promise<unknown> => {
    await opened;
    const id = nextId++;
    const answer = new Promise((resolve) => pending.set(id, resolve));
    const bytesAt = args.findIndex((a) => a instanceof Uint8Array);
    if (bytesAt === -1) {
      socket.send(JSON.stringify({ id, method, args }));
    } else {
      const bytes = args[bytesAt] as Uint8Array;
      const header = new TextEncoder().encode(JSON.stringify({ id, method, args: args.map((a, i) => (i === bytesAt ? null : a)), bytesAt }));
      const frame = new Uint8Array(4 + header.length + bytes.length);
      new DataView(frame.buffer).setUint32(0, header.length);
      frame.set(header, 4);
      frame.set(bytes, 4 + header.length);
      socket.send(frame);
    }
    return answer;
  };
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of methods) api[method] = (...args) => invoke(method, args);
  const subscriptions: Record<string, (listener: (value: unknown) => void) => () => void> = {};
  for (const { method, channel, listen } of events) {
    const listeners = new Set<(value: unknown) => void>();
    let kept: { value: unknown } | undefined;
    let listening = false;
    const deliver = (value: unknown) => {
      if (listeners.size === 0) kept = { value };
      else for (const listener of [...listeners]) listener(value);
    };
    // Only what the preload would let through: main's values here are strings (a pairing code).
    onEvent.set(channel, (value) => {
      if (typeof value === 'string') deliver(value);
    });
    subscriptions[method] = (listener) => {
      listeners.add(listener);
      if (kept) {
        const { value } = kept;
        kept = undefined;
        listener(value);
      }
      if (!listening) {
        listening = true;
        void invoke(listen, []).then((answer) => {
          const result = answer as { ok: boolean; value?: unknown };
          if (result.ok && typeof result.value === 'string') deliver(result.value);
        });
      }
      return () => {
        listeners.delete(listener);
      };
    };
  }
  Object.assign(api, subscriptions);
  Object.defineProperty(window, 'ferry', { value: Object.freeze(api), configurable: false, writable: false });
}
