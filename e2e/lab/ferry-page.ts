import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createIpcDispatcher, type MainServices } from '../../src-main/ipc/dispatcher.js';
import { FERRY_CHANNELS } from '../../src-main/preload/channels.js';
import { buildContentSecurityPolicy } from '../../src-main/security/csp.js';
import { createSenderCheck } from '../../src-main/security/trusted-sender.js';

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
  /** Console messages and page errors, for failure reports. */
  logs: string[];
}

/**
 * Opens the built renderer in `browser` the way the app does, but with main's real IPC
 * dispatcher reached through a Playwright binding instead of Electron IPC: the same contract,
 * the same sender check and argument validation, the same CSP.
 */
export async function openFerryPage(
  browser: Browser,
  services: MainServices,
  signalingUrl: string,
  options: { peerJsDebug?: 1 | 2 | 3 } = {},
): Promise<FerryPage> {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const logs: string[] = [];
  const csp = buildContentSecurityPolicy({ connectTo: [signalingUrl] });

  await context.route(`${RENDERER_ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '');
    const file = join(RENDERER_DIR, relative);
    if (!file.startsWith(RENDERER_DIR) || relative.split(sep).includes('..')) {
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

  const dispatch = createIpcDispatcher(services, createSenderCheck(`${RENDERER_ORIGIN}/index.html`));
  await context.exposeBinding('__ferryInvoke', ({ frame, page }, method: string, args: unknown[]) =>
    dispatch(method, { frameUrl: frame.url(), isMainFrame: frame === page.mainFrame() }, args),
  );
  // Builds window.ferry from the channel table: one function per message, like the preload.
  await context.addInitScript((methods: string[]) => {
    const invoke = (window as unknown as { __ferryInvoke: (m: string, a: unknown[]) => Promise<unknown> }).__ferryInvoke;
    const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of methods) api[method] = (...args) => invoke(method, args);
    Object.defineProperty(window, 'ferry', { value: Object.freeze(api), configurable: false, writable: false });
  }, Object.keys(FERRY_CHANNELS));

  if (options.peerJsDebug) {
    await context.addInitScript((level: number) => window.localStorage.setItem('ferry.debug', String(level)), options.peerJsDebug);
  }
  const page = await context.newPage();
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`${RENDERER_ORIGIN}/index.html`);
  return { page, context, logs };
}
