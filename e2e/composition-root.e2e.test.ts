import { deviceView } from './support/ferry-window.js';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, EngineSnapshot } from '../src-engine/index.js';
import { FERRY_CHANNELS } from '../src-main/preload/channels.js';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { isAlive, type TrackedProcess } from './lab/processes.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { STAND_IN_ENV } from './support/electron-stand-in/protocol.js';
import { ElectronStandIn, type StandInWindow } from './support/electron-stand-in/renderer-bridge.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

/*
 * The code `npm start` runs, run in CI: the built main bundle (out/main/index.js) under plain
 * Node, with a recording stand-in of the `electron` module (e2e/support/electron-stand-in). Its
 * window is the built renderer in Debian's Chromium behind the built preload; its engine is
 * out/main/engine.js in a child process, as Electron's utility process would run it. The app runs
 * on one lab host; a windowless Ferry (main's services and the engine, e2e/support/engine-app.ts)
 * on another receives what a person picks in the app's window.
 */

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAIN_BUNDLE = join(REPO, 'out', 'main', 'index.js');
const ENGINE_BUNDLE = join(REPO, 'out', 'main', 'engine.js');
const PRELOAD_BUNDLE = join(REPO, 'out', 'preload', 'index.cjs');
const RENDERER_URL = pathToFileURL(join(REPO, 'out', 'renderer', 'index.html')).href;
const REGISTER = fileURLToPath(new URL('./support/electron-stand-in/register.ts', import.meta.url));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const conversationWith = (snapshot: EngineSnapshot, peerId: string): Conversation | undefined => snapshot.conversations.find((c) => c.peerId === peerId);

/** The signaling server's log, one JSON object a line (pino). */
function signalLog(server: TrackedProcess): Array<{ msg?: string; peer?: string; ip?: string }> {
  return server.log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; peer?: string; ip?: string });
}

/** Requests the window sent the engine over its ports that got no answer (yet). */
function unansweredRequests(standIn: ElectronStandIn): unknown[] {
  type Rpc = { t?: unknown; id?: unknown; name?: unknown };
  const answered = new Set(standIn.portMessages.filter((m) => m.from === 'main' && (m.data as Rpc).t === 'res').map((m) => `${m.portId}/${String((m.data as Rpc).id)}`));
  return standIn.portMessages.filter((m) => m.from === 'window' && (m.data as Rpc).t === 'req' && !answered.has(`${m.portId}/${String((m.data as Rpc).id)}`)).map((m) => m.data);
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('the composition root: the built main bundle, run under a stand-in of Electron', () => {
  let lab: Lab;
  let browser: Browser;
  let standIn: ElectronStandIn;
  let app: TrackedProcess;
  let bob: EngineApp;
  let window: StandInWindow;
  let signal: { url: string; process: TrackedProcess };
  let root: string;
  let sources: string;
  let downloads: string;

  const withLogs = async <T,>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const logs = [
        `the app (main and engine):\n${app?.log.slice(-8000) ?? ''}`,
        `its window:\n${window?.logs.slice(-60).join('\n') ?? ''}`,
        `Bob:\n${bob?.main.log.slice(-4000) ?? ''}`,
        `what the app did last (the stand-in's records):\n${(standIn?.records.slice(-40) ?? []).map((r) => `${r.call} ${JSON.stringify(r.args).slice(0, 300)}`).join('\n')}`,
      ];
      throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
    }
  };

  beforeAll(async () => {
    for (const bundle of [MAIN_BUNDLE, ENGINE_BUNDLE, PRELOAD_BUNDLE, fileURLToPath(RENDERER_URL)]) {
      if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first.`);
    }
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-composition-'));
    sources = join(root, 'sources');
    downloads = join(root, 'downloads');
    const userData = join(root, 'user-data');
    for (const dir of [sources, downloads, userData]) mkdirSync(dir);
    lab = Lab.create({ hosts: ['signal', 'desk', 'bob'] });
    signal = await startSignalHost(lab.host('signal'));
    browser = await launchChromium(lab.host('desk'));
    standIn = await ElectronStandIn.listen({ browser, dir: root });
    bob = await startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url });
    const env: NodeJS.ProcessEnv = { ...process.env, FERRY_SIGNALING_URL: signal.url, [STAND_IN_ENV]: standIn.config({ userData, downloads, appPath: REPO }) };
    // As the built app runs (not electron-vite's dev server), with no other server settings.
    for (const name of ['ELECTRON_RENDERER_URL', 'FERRY_SIGNALING_KEY', 'FERRY_SIGNALING_TOKEN']) delete env[name];
    app = lab.host('desk').spawn('ferry-app', process.execPath, ['--import', 'tsx', '--import', REGISTER, MAIN_BUNDLE], env);
    const ended = app.exited.then((code) => {
      throw new Error(`the app exited (${code}) before its window loaded`);
    });
    window = await withLogs(() => Promise.race([standIn.firstWindow(60_000), ended]));
  });

  afterAll(async () => {
    await app?.stop(10_000);
    // The engine's process, by the PID the stand-in recorded, should the app not have ended it.
    for (const fork of standIn?.recorded('utilityProcess.fork') ?? []) {
      if (fork.pid !== undefined && isAlive(fork.pid)) process.kill(fork.pid, 'SIGKILL');
    }
    await browser?.close().catch(() => {});
    await standIn?.close();
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('makes a hardened window: its options, the CSP it serves the renderer with, permissions, navigation, IPC', () =>
    withLogs(async () => {
      // The window: isolated, sandboxed, no Node, the built preload.
      expect(standIn.recorded('new BrowserWindow')).toHaveLength(1);
      expect(window.options.webPreferences).toMatchObject({
        preload: PRELOAD_BUNDLE,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        disableBlinkFeatures: 'Auxclick',
      });
      expect(standIn.recorded('webContents.loadURL').map((r) => r.args[0])).toEqual([RENDERER_URL]);
      // Made hidden, shown once ready.
      expect(window.options.show).toBe(false);
      await standIn.waitFor('the window to be shown', () => (standIn.recorded('BrowserWindow.show').length > 0 ? true : undefined), 10_000);
      expect(standIn.recorded('BrowserWindow.show')).toHaveLength(1);

      // The CSP main's webRequest listener gives every file the window loads.
      expect(standIn.recorded('session.defaultSession.webRequest.onHeadersReceived')).toHaveLength(1);
      const page = window.served.find((s) => s.resourceType === 'mainFrame');
      expect(page?.url).toBe(RENDERER_URL);
      expect(window.served.filter((s) => s.resourceType === 'script').length).toBeGreaterThan(0);
      for (const served of window.served) expect(served.headers['Content-Security-Policy']).toBe(page?.headers['Content-Security-Policy']);
      const policy = page?.headers['Content-Security-Policy'] ?? '';
      const csp = directives(policy);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('unsafe-eval');
      // ...and Chromium holds the page to it: the window reaches no network, not even the signaling server.
      const refused = await window.page.evaluate(async (url) => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
        const outcome = await fetch(url).then(
          () => 'fetched',
          () => 'refused',
        );
        await new Promise((r) => setTimeout(r, 100));
        return { outcome, violations };
      }, signal.url);
      // Refused by the policy (the header's, and the page's own <meta>), before any packet left.
      expect(refused.outcome).toBe('refused');
      expect(new Set(refused.violations)).toEqual(new Set(['connect-src']));

      // Permissions: only what Ferry uses, only for its own page.
      expect(standIn.recorded('session.defaultSession.setPermissionRequestHandler')).toHaveLength(1);
      expect(standIn.recorded('session.defaultSession.setPermissionCheckHandler')).toHaveLength(1);
      const ask = (permission: string) => standIn.probe({ kind: 'permission-request', windowId: window.id, permission });
      expect(await ask('notifications')).toBe(true);
      for (const permission of ['media', 'geolocation', 'openExternal', 'hid', 'fullscreen']) expect(await ask(permission)).toBe(false);
      const check = (permission: string, origin: string) => standIn.probe({ kind: 'permission-check', windowId: window.id, permission, origin });
      expect(await check('media', RENDERER_URL)).toBe(false);
      expect(await check('notifications', 'https://evil.example')).toBe(false);

      // No leaving the app: navigation elsewhere, webviews and new windows are refused; https links go to the browser.
      expect(await standIn.probe({ kind: 'will-navigate', windowId: window.id, url: 'https://evil.example/' })).toEqual({ prevented: true });
      expect(await standIn.probe({ kind: 'will-navigate', windowId: window.id, url: 'file:///etc/passwd' })).toEqual({ prevented: true });
      expect(await standIn.probe({ kind: 'will-navigate', windowId: window.id, url: `${RENDERER_URL}#settings` })).toEqual({ prevented: false });
      expect(await standIn.probe({ kind: 'will-attach-webview', windowId: window.id })).toEqual({ prevented: true });
      expect(await standIn.probe({ kind: 'window-open', windowId: window.id, url: 'https://example.org/help' })).toEqual({ action: 'deny' });
      expect(await standIn.probe({ kind: 'window-open', windowId: window.id, url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
      expect(standIn.recorded('shell.openExternal').map((r) => r.args[0])).toEqual(['https://example.org/help']);

      // IPC: a handler for every channel of the preload's contract, and the preload's API in the page.
      expect(standIn.recorded('ipcMain.handle').map((r) => r.args[0]).sort()).toEqual(Object.values(FERRY_CHANNELS).sort());
      expect(standIn.recorded('contextBridge.exposeInMainWorld').map((r) => r.args[0])).toEqual(['ferry']);
    }));

  it('starts the engine (out/main/engine.js in a utility process), which registers on the signaling server', () =>
    withLogs(async () => {
      const forks = standIn.recorded('utilityProcess.fork');
      expect(forks).toHaveLength(1);
      expect(forks[0]?.args[0]).toBe(ENGINE_BUNDLE);
      expect(forks[0]?.args[2]).toMatchObject({ serviceName: 'Ferry engine' });
      // The loaded window got its own port to the engine: one end to the engine, one to the page.
      await standIn.waitFor('main to hand the window a port', () => (standIn.recorded('webContents.postMessage').length > 0 ? true : undefined), 10_000);
      expect(standIn.recorded('UtilityProcess.postMessage').filter((r) => r.args[1] === '1 port(s)').map((r) => r.args[0])).toEqual([{ t: 'view-port' }]);
      expect(standIn.recorded('webContents.postMessage').map((r) => [r.args[0], r.args[2]])).toEqual([['ferry:engine-port', '1 port(s)']]);

      // Nothing the window asks the engine is lost, not even while the engine still starts.
      await expect.poll(() => unansweredRequests(standIn), { timeout: 10_000 }).toEqual([]);
      expect(standIn.portMessages.some((m) => m.from === 'window' && (m.data as { name?: unknown }).name === 'hello')).toBe(true);

      const page = window.page;
      await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
      const appId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      // The server saw it register, from the app's lab host.
      const registered = () => signalLog(signal.process).find((entry) => entry.msg === 'peer registered' && entry.peer === appId);
      await expect.poll(registered, { timeout: 10_000 }).toMatchObject({ ip: lab.host('desk').address });
    }));

  it('sends a file a person picks in the window to another lab host, received byte-identical', () =>
    withLogs(async () => {
      const page = window.page;
      const appId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      const bobId = await bob.waitFor('Bob on the signaling server', (s) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined));
      await page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await waitForText(page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 30_000);

      const picked = join(sources, 'picked.bin');
      writeFileSync(picked, randomBytes(12 * 1024 * 1024 + 12345));
      const chat = deviceView(page, 'Bob');
      await chat.getByLabel('Files to send to Bob').setInputFiles(picked);
      const offered = await bob.waitFor('the offer', (s) => conversationWith(s, appId)?.transfers.find((t) => t.state === 'offered'));
      expect(offered.title).toBe('picked.bin');
      await bob.command('acceptTransfer', appId, offered.key, {});
      const received = await bob.waitFor('the file', (s) => conversationWith(s, appId)?.transfers.find((t) => t.key === offered.key && (t.state === 'done' || t.state === 'failed')), 60_000);
      expect(received.state).toBe('done');
      await waitForText(chat.getByRole('status', { name: 'State of picked.bin' }), /Done, verified/, 30_000);
      expect(readdirSync(bob.downloadDir)).toEqual(['picked.bin']);
      expect(sha256(join(bob.downloadDir, 'picked.bin'))).toBe(sha256(picked));
      // The path came from Chromium through the preload (webUtils) and main granted it to the engine.
      const grants = standIn.recorded('ipcRenderer.invoke').filter((r) => r.args[0] === FERRY_CHANNELS.grantPaths);
      expect(grants.map((r) => r.args[1])).toEqual([[picked]]);
      await expect.poll(() => unansweredRequests(standIn), { timeout: 10_000 }).toEqual([]);
    }));

  it('gives a reloaded window a fresh port to the same engine', () =>
    withLogs(async () => {
      const page = window.page;
      const appId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      await page.reload();
      await standIn.waitFor('main to hand the reloaded window a port', () => (standIn.recorded('webContents.postMessage').length >= 2 ? true : undefined), 15_000);
      expect(standIn.recorded('webContents.postMessage')).toHaveLength(2);
      expect(standIn.recorded('UtilityProcess.postMessage').filter((r) => r.args[1] === '1 port(s)').map((r) => r.args[0])).toEqual([{ t: 'view-port' }, { t: 'view-port' }]);
      // The same engine, still connected to Bob, seen through the new port.
      await waitForText(page.getByRole('status', { name: 'Your device id' }), new RegExp(`^${appId}$`), 15_000);
      await waitForText(page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 15_000);
      expect(standIn.recorded('utilityProcess.fork')).toHaveLength(1);
    }));

  it('starts the engine again when its process dies, and hands the window a port to the new one', () =>
    withLogs(async () => {
      const page = window.page;
      const appId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      const registrations = () => signalLog(signal.process).filter((entry) => entry.msg === 'peer registered' && entry.peer === appId).length;
      expect(registrations()).toBe(1);
      const [first] = standIn.recorded('utilityProcess.fork');
      process.kill(first?.pid as number, 'SIGKILL');
      await standIn.waitFor('main to start the engine again', () => (standIn.recorded('utilityProcess.fork').length === 2 ? true : undefined), 15_000);
      expect(standIn.recorded('utilityProcess.fork')[1]?.args[0]).toBe(ENGINE_BUNDLE);
      expect(app.log).toMatch(/Ferry's engine stopped \(exit code null\); starting it again in \d+ ms\./);
      await standIn.waitFor('a port to the new engine', () => (standIn.recorded('webContents.postMessage').length === 3 ? true : undefined), 15_000);
      // The new engine is the same device (main keeps the identity), back on the signaling server,
      // and the window hears it so through its new port.
      await expect.poll(registrations, { timeout: 20_000 }).toBe(2);
      const newPort = window.handedPorts.at(-1);
      const connectedOnNewPort = () =>
        standIn.portMessages.some((m) => {
          const note = m.data as { t?: unknown; name?: unknown; value?: { signaling?: { kind?: unknown; peerId?: unknown } } };
          return m.portId === newPort && m.from === 'main' && note.t === 'note' && note.name === 'snapshot' && note.value?.signaling?.kind === 'connected' && note.value.signaling.peerId === appId;
        });
      await expect.poll(connectedOnNewPort, { timeout: 20_000 }).toBe(true);
      await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 15_000);
    }));

  it('Settings says FERRY_SIGNALING_URL wins; "Restart Ferry now" relaunches and quits: will-quit stops the engine, and both processes end', () =>
    withLogs(async () => {
      const engine = standIn.recorded('utilityProcess.fork').at(-1);
      const page = window.page;
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await waitForText(page.getByRole('note', { name: 'Signaling server set by the environment' }), new RegExp(`FERRY_SIGNALING_URL is set: Ferry uses ${signal.url.replace(/[.]/g, '\\.')}`));
      await page.getByRole('button', { name: 'Restart Ferry now' }).click();
      expect(await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))])).toBe(0);
      // Electron's recipe: relaunch (it takes effect when this instance quits), then quit.
      expect(standIn.recorded('app.relaunch')).toHaveLength(1);
      expect(standIn.recorded('app.quit').length).toBeGreaterThan(0);
      // The engine that ran last was asked to stop, and stopped by itself (the one before was killed above).
      await expect.poll(() => standIn.recorded('utilityProcess exit').map((r) => r.args), { timeout: 5_000 }).toEqual([
        [null, 'SIGKILL'],
        [0, null],
      ]);
      expect(standIn.recorded('UtilityProcess.kill').map((r) => r.pid)).toEqual([engine?.pid]);
      expect(engine?.pid !== undefined && isAlive(engine.pid)).toBe(false);
    }));
});
