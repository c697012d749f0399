import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PairingLinkResult } from '../../src-main/deep-link/pairing-link-url.js';
import { FERRY_CHANNELS, FERRY_EVENTS } from '../../src-main/preload/channels.js';
import { buildContentSecurityPolicy } from '../../src-main/security/csp.js';
import { pickedPaths } from '../../src-main/preload/picked-paths.js';
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
    JSON.stringify({ deviceName: options.deviceName, signalingUrl: options.signalingUrl, downloadDir, rendererUrl, settingsFile, pickFolderAnswer: options.pickFolderAnswer, clipboardText: options.clipboardText, lan: options.lan, argv: options.argv, signalingToken: options.signalingToken, engine: options.page === undefined, engineClock: options.fakeClock }),
  ], options.peerJsDebug ? { ...process.env, FERRY_PEERJS_DEBUG: String(options.peerJsDebug) } : undefined);
  void main.exited.then(() => {
    for (const dir of [settingsDir, ownDownloads]) if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const { port, token, signalingUrl, engine } = JSON.parse(await main.waitForLine(/"event":"listening"/, 60_000)) as {
    port: number;
    token: string;
    signalingUrl: string;
    engine?: { port: number; token: string };
  };
  const mainUrl = `ws://127.0.0.1:${port}/`;
  // The engine's process, where the window's MessagePort leads in the app.
  const engineUrl = engine ? `ws://127.0.0.1:${engine.port}/` : undefined;

  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const logs: string[] = [];
  // The app's window connects nowhere (CSP connect-src 'none'); here its IPC and engine port are
  // WebSockets. A test page (the Chromium conformance peer) still speaks to the signaling server.
  const csp = engineUrl ? buildContentSecurityPolicy({ connectTo: [mainUrl, engineUrl] }) : buildContentSecurityPolicy({ connectTo: [signalingUrl, mainUrl], wasm: true });

  await context.route(`${RENDERER_ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '');
    const file = join(pagesDir, relative);
    if (!file.startsWith(pagesDir) || relative.split(sep).includes('..')) {
      await route.fulfill({ status: 403, body: 'forbidden' });
      return;
    }
    try {
      let body = await readFile(file);
      // The built page's own <meta> policy allows no connections at all, as the app's window
      // needs none; here its IPC and engine port are WebSockets, so the header alone (the same
      // policy but for them) governs.
      if (extname(file) === '.html') body = Buffer.from(body.toString('utf8').replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
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
  await context.addInitScript(installFerryOverWebSocket, {
    url: `${mainUrl}?token=${token}`,
    engineUrl: engine && engineUrl ? `${engineUrl}?token=${engine.token}` : undefined,
    methods: Object.keys(FERRY_CHANNELS).filter((m) => m !== 'grantPaths'),
    events,
  });
  // webUtils.getPathForFile, which the preload reads a File's path with, stood in for by asking
  // Chromium itself (DevTools' DOM.getFileInfo) for the path behind each File the page picked.
  await context.exposeBinding('__ferryPathsOfPicked', async ({ page: from }, count: number) => pathsOfPicked(from, count));
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

/**
 * The paths behind the Files the page put in `window.__ferryPicked`, as the preload would grant
 * them (src-main/preload/picked-paths.ts): Chromium knows each File's path (DOM.getFileInfo).
 */
async function pathsOfPicked(page: Page, count: number): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const files: Array<{ path: string; relativePath: string }> = [];
    for (let i = 0; i < count; i++) {
      const { result } = await cdp.send('Runtime.evaluate', { expression: `window.__ferryPicked[${i}]` });
      if (!result.objectId) continue;
      const { path } = await cdp.send('DOM.getFileInfo', { objectId: result.objectId });
      const relative = await cdp.send('Runtime.evaluate', { expression: `window.__ferryPicked[${i}].webkitRelativePath`, returnByValue: true });
      files.push({ path, relativePath: typeof relative.result.value === 'string' ? relative.result.value : '' });
    }
    return pickedPaths(files);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

let nextLinkRequest = 1;

/** Moves time on for the whole app: the page's clock (`fakeClock`) and its engine's. */
export async function fastForward(ferry: FerryPage, ms: number): Promise<void> {
  const id = nextLinkRequest++;
  const moved = ferry.main.waitForLine(new RegExp(`"event":"engine-clock","id":${id}[,}]`), 10_000, { fresh: true });
  ferry.main.child.stdin?.write(`${JSON.stringify({ engineClock: ms, id })}\n`);
  await moved;
  await ferry.page.clock.fastForward(ms);
}

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
function installFerryOverWebSocket({
  url,
  engineUrl,
  methods,
  events,
}: {
  url: string;
  engineUrl: string | undefined;
  methods: string[];
  events: Array<{ method: string; channel: string; listen: string }>;
}): void {
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
  // The engine's port (the preload's engine bridge): JSON messages both ways, kept until open.
  const engineListeners = new Set<(message: unknown) => void>();
  const early: string[] = [];
  const engineSocket = engineUrl ? new WebSocket(engineUrl) : undefined;
  engineSocket?.addEventListener('open', () => {
    for (const message of early.splice(0)) engineSocket.send(message);
  });
  engineSocket?.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as unknown;
    for (const listener of [...engineListeners]) listener(message);
  });
  Object.assign(api, {
    engine: {
      post: (message: unknown) => {
        const text = JSON.stringify(message);
        if (engineSocket?.readyState === WebSocket.OPEN) engineSocket.send(text);
        else early.push(text);
      },
      onMessage: (listener: (message: unknown) => void) => {
        engineListeners.add(listener);
        return () => engineListeners.delete(listener);
      },
    },
    // As the preload: paths of the picked files (here read by the test host from Chromium), then
    // main's grant to the engine.
    grantFiles: async (files: readonly File[]) => {
      const holder = window as unknown as { __ferryPicked?: File[]; __ferryPathsOfPicked(count: number): Promise<string[]> };
      holder.__ferryPicked = [...files];
      let paths: string[];
      try {
        paths = await holder.__ferryPathsOfPicked(files.length);
      } finally {
        delete holder.__ferryPicked;
      }
      if (paths.length === 0) return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'These files did not come from your computer’s disk; Ferry can send only files you pick or drop.' } };
      return invoke('grantPaths', [paths]);
    },
  });
  Object.defineProperty(window, 'ferry', { value: Object.freeze(api), configurable: false, writable: false });
}
