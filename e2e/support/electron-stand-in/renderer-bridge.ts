/*
 * The test's end of the Electron stand-in: the windows the app opens (fake-electron.ts), as real
 * Chromium pages. Each gets the app's own preload (the file its webPreferences name, evaluated
 * with a `require` that answers `electron` with the renderer-side stand-in below), its files
 * served with the headers the app's webRequest.onHeadersReceived listener gives them, its
 * ipcRenderer.invoke calls answered by the app's ipcMain handlers, and the MessagePorts main
 * posts to it as DOM MessagePorts whose other ends lead to main's ports.
 *
 * What differs from Electron, and why: the preload runs in the page's world (Playwright has no
 * isolated world to give it; contextIsolation is checked in the window's options instead), and a
 * file picked with an <input type=file> reaches the page's change listeners a moment late, once
 * Chromium has told the stand-in its path (DevTools' DOM.getFileInfo), because
 * webUtils.getPathForFile is synchronous and the page cannot ask Chromium synchronously. Drops
 * are not stood in.
 */
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { extname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { type AppMessage, debugLog, type HeadersDetails, type Probe, readMessages, type StandInConfig, type StandInRecord, type WindowMessage, writeMessage } from './protocol.js';

/** What the window's route serves a file:// URL as (Chromium's own file loader names the type). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StandInWindow {
  readonly id: number;
  /** The options the app made the BrowserWindow with. */
  readonly options: Record<string, unknown>;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every file served to the window, with the response headers main's webRequest listener gave it. */
  readonly served: Array<{ url: string; resourceType: string; headers: Record<string, string> }>;
  /** The ids of the ports main posted to the window, in order (as in `portMessages`). */
  readonly handedPorts: number[];
  /** The page's console and errors, for failure reports. */
  readonly logs: string[];
}

type Delivery =
  | { kind: 'send'; channel: string; args: unknown[] }
  | { kind: 'ports'; channel: string; message: unknown; portIds: number[] }
  | { kind: 'port-message'; portId: number; data: unknown }
  | { kind: 'port-close'; portId: number };

class WindowHost implements StandInWindow {
  readonly served: StandInWindow['served'] = [];
  readonly logs: string[] = [];
  readonly handedPorts: number[] = [];
  /** Ports of the window's current document. */
  readonly portIds = new Set<number>();
  loads = 0;
  private readonly deliveries: Delivery[] = [];
  private delivering = false;

  constructor(
    readonly id: number,
    readonly options: Record<string, unknown>,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /** Into the page, in order, a batch per evaluation. */
  deliver(delivery: Delivery): void {
    this.deliveries.push(delivery);
    if (this.delivering) return;
    this.delivering = true;
    void (async () => {
      while (this.deliveries.length > 0) {
        const batch = this.deliveries.splice(0);
        await this.page
          .evaluate((items) => (window as unknown as { __ferryStandInDeliver(items: unknown[]): void }).__ferryStandInDeliver(items), batch)
          .catch((error: Error) => this.logs.push(`[stand-in] a delivery to the page failed: ${error.message}`));
      }
      this.delivering = false;
    })();
  }
}

/**
 * Listens for the app's stand-in on a Unix socket in `dir`; windows open in `browser`.
 * `config(...)` is what the app's process is started with (FERRY_ELECTRON_STAND_IN).
 */
/** A message on a port between a window and main's side (the engine, in Ferry), by the window's port id. */
export interface PortMessage {
  portId: number;
  from: 'window' | 'main';
  data: unknown;
}

export class ElectronStandIn {
  readonly records: StandInRecord[] = [];
  /** Every message the windows' ports carried, both ways, in order. */
  readonly portMessages: PortMessage[] = [];
  private readonly windows = new Map<number, { host: Promise<WindowHost> }>();
  private readonly portWindows = new Map<number, number>();
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly changed = new Set<() => void>();
  private socket: Socket | undefined;
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
    private readonly browser: Browser,
  ) {
    server.on('connection', (socket) => {
      this.socket?.destroy();
      this.socket = socket;
      readMessages<AppMessage>(socket, (message) => this.onAppMessage(message));
      socket.on('error', () => {});
      socket.on('close', () => {
        for (const { reject } of [...this.pending.values()]) reject(new Error('the app closed its line to the stand-in'));
      });
    });
  }

  static async listen(options: { browser: Browser; dir: string }): Promise<ElectronStandIn> {
    const socketPath = join(options.dir, 'electron-stand-in.sock');
    await rm(socketPath, { force: true });
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return new ElectronStandIn(server, socketPath, options.browser);
  }

  /** The environment value the app's process needs (FERRY_ELECTRON_STAND_IN). */
  config(paths: Omit<StandInConfig, 'socket'>): string {
    return JSON.stringify({ socket: this.socketPath, ...paths } satisfies StandInConfig);
  }

  recorded(call: string): StandInRecord[] {
    return this.records.filter((record) => record.call === call);
  }

  /** Resolves with the first value `check` gives other than undefined, checked after every message. */
  async waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    const now = check();
    if (now !== undefined) return now;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changed.delete(listener);
        reject(new Error(`Electron stand-in: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const listener = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          clearTimeout(timer);
          this.changed.delete(listener);
          reject(error as Error);
          return;
        }
        if (value === undefined) return;
        clearTimeout(timer);
        this.changed.delete(listener);
        resolve(value);
      };
      this.changed.add(listener);
    });
  }

  /** The app's first window, once its page has loaded. */
  async firstWindow(timeoutMs: number): Promise<StandInWindow> {
    const entry = await this.waitFor('the app to open a window', () => this.windows.get(1), timeoutMs);
    const host = await entry.host;
    await this.waitFor('the window to load', () => (host.loads > 0 ? true : undefined), timeoutMs);
    return host;
  }

  /** Asks what Electron would ask the app's handlers (a permission, a navigation, a new window). */
  probe(probe: Probe): Promise<unknown> {
    return this.request((id) => ({ t: 'probe', id, probe }));
  }

  async close(): Promise<void> {
    for (const { host } of this.windows.values()) await host.then((h) => h.context.close()).catch(() => {});
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
  }

  private send(message: WindowMessage): void {
    debugLog('window', '->', message);
    if (this.socket && !this.socket.destroyed) writeMessage(this.socket, message);
  }

  /** A message the app answers (an IPC call, a response's headers, a probe), within 30 s. */
  private request(make: (id: number) => WindowMessage): Promise<unknown> {
    const id = this.nextId++;
    const message = make(id);
    return new Promise((resolve, reject) => {
      if (!this.socket || this.socket.destroyed) {
        reject(new Error('the app is not connected to the stand-in'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the app did not answer ${message.t} within 30 s`));
      }, 30_000);
      const settle = () => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (value) => {
          settle();
          resolve(value);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.send(message);
    });
  }

  private onAppMessage(message: AppMessage): void {
    switch (message.t) {
      case 'record':
        this.records.push(message.record);
        break;
      case 'window': {
        const host = this.openWindow(message.windowId, message.options as Record<string, unknown>);
        // Its failure is reported to whoever waits for the window (firstWindow).
        host.catch(() => {});
        this.windows.set(message.windowId, { host });
        break;
      }
      case 'load':
        void this.withWindow(message.windowId, (host) => this.load(host, message.url));
        break;
      case 'close-window':
        void this.withWindow(message.windowId, (host) => host.context.close());
        break;
      case 'send':
        void this.withWindow(message.windowId, (host) => host.deliver({ kind: 'send', channel: message.channel, args: message.args }));
        break;
      case 'post-ports':
        for (const portId of message.portIds) this.portWindows.set(portId, message.windowId);
        void this.withWindow(message.windowId, (host) => {
          for (const portId of message.portIds) {
            host.portIds.add(portId);
            host.handedPorts.push(portId);
          }
          host.deliver({ kind: 'ports', channel: message.channel, message: message.message, portIds: message.portIds });
        });
        break;
      case 'port-message':
      case 'port-close': {
        if (message.t === 'port-message') this.portMessages.push({ portId: message.portId, from: 'main', data: message.data });
        const windowId = this.portWindows.get(message.portId);
        if (windowId !== undefined) {
          void this.withWindow(windowId, (host) =>
            host.deliver(message.t === 'port-message' ? { kind: 'port-message', portId: message.portId, data: message.data } : { kind: 'port-close', portId: message.portId }),
          );
        }
        break;
      }
      case 'reply': {
        const waiting = this.pending.get(message.id);
        if (message.ok) waiting?.resolve(message.value);
        else waiting?.reject(new Error(message.error));
        break;
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.changed]) listener();
  }

  private async withWindow(windowId: number, run: (host: WindowHost) => unknown): Promise<void> {
    const entry = this.windows.get(windowId);
    if (!entry) return;
    try {
      await run(await entry.host);
    } catch (error) {
      const host = await entry.host.catch(() => undefined);
      host?.logs.push(`[stand-in] ${(error as Error).message}`);
    }
  }

  /** A BrowserWindow as a page of its own, with the app's preload, webRequest and IPC. */
  private async openWindow(windowId: number, options: Record<string, unknown>): Promise<WindowHost> {
    const webPreferences = (options.webPreferences ?? {}) as { preload?: unknown };
    const width = typeof options.width === 'number' ? options.width : 800;
    const height = typeof options.height === 'number' ? options.height : 600;
    const context = await this.browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const host = new WindowHost(windowId, options, context, page);
    page.on('console', (m) => host.logs.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => host.logs.push(`[pageerror] ${e.message}`));
    await context.route(/^file:/, (route) => this.serveFile(host, route));
    await context.exposeBinding('__ferryStandIn', async (source, kind: string, payload: unknown) => {
      switch (kind) {
        case 'invoke': {
          const { channel, args } = payload as { channel: string; args: unknown[] };
          try {
            const value = await this.request((id) => ({ t: 'invoke', id, windowId, channel, args, frameUrl: source.frame.url(), isMainFrame: source.frame === source.page.mainFrame() }));
            return { ok: true, value };
          } catch (error) {
            return { ok: false, error: (error as Error).message };
          }
        }
        case 'port-message': {
          const { portId, data } = payload as { portId: number; data: unknown };
          this.portMessages.push({ portId, from: 'window', data });
          this.send({ t: 'port-message', portId, data });
          return undefined;
        }
        case 'paths-of-picked':
          return pathsOfPicked(source.page, payload as number);
        case 'document': {
          // A new document in the window: the old one's ports are gone with it (Electron closes them).
          for (const portId of host.portIds) this.send({ t: 'port-close', portId });
          host.portIds.clear();
          return undefined;
        }
        case 'record': {
          this.records.push({ ...(payload as StandInRecord), windowId });
          this.notify();
          return undefined;
        }
        default:
          throw new Error(`unknown stand-in call ${kind}`);
      }
    });
    if (typeof webPreferences.preload === 'string') {
      if (!isAbsolute(webPreferences.preload)) throw new Error(`the preload path must be absolute, not ${webPreferences.preload}`);
      const preload = readFileSync(webPreferences.preload, 'utf8');
      await context.addInitScript({
        content: [
          // Functions serialised from TypeScript may call esbuild's __name helper.
          'globalThis.__name ??= (target) => target;',
          `(${rendererStandIn.toString()})(function (require, module, exports) {\n${preload}\n});`,
        ].join('\n'),
      });
    }
    // Electron's page lifecycle, as Chromium reports it.
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.send({ t: 'did-start-navigation', windowId, url: request.url() });
    });
    page.on('domcontentloaded', () => this.send({ t: 'dom-ready', windowId }));
    page.on('load', () => {
      if (page.url() === 'about:blank') return;
      host.loads++;
      this.send({ t: 'did-finish-load', windowId, url: page.url() });
      this.notify();
    });
    page.on('close', () => {
      for (const portId of host.portIds) this.send({ t: 'port-close', portId });
      host.portIds.clear();
    });
    return host;
  }

  private async load(host: WindowHost, url: string): Promise<void> {
    try {
      await host.page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    } catch (error) {
      this.send({ t: 'did-fail-load', windowId: host.id, url, error: (error as Error).message });
    }
  }

  /** A file:// request: the file, with the headers main's webRequest listener answers. */
  private async serveFile(host: WindowHost, route: Route): Promise<void> {
    const request = route.request();
    const url = request.url();
    let body: Buffer;
    try {
      body = await readFile(fileURLToPath(url));
    } catch {
      await route.abort('failed');
      return;
    }
    const resourceType = electronResourceType(request.resourceType(), request.isNavigationRequest() && request.frame() === host.page.mainFrame());
    const details: HeadersDetails = {
      url,
      method: request.method(),
      resourceType,
      statusCode: 200,
      statusLine: 'HTTP/1.1 200 OK',
      responseHeaders: { 'Content-Type': [CONTENT_TYPES[extname(fileURLToPath(url))] ?? 'application/octet-stream'] },
    };
    let answer: { cancel?: boolean; responseHeaders?: Record<string, string | string[]> };
    try {
      answer = (await this.request((id) => ({ t: 'headers', id, windowId: host.id, details }))) as typeof answer;
    } catch {
      await route.abort('failed');
      return;
    }
    if (answer.cancel) {
      await route.abort('blockedbyclient');
      return;
    }
    const headers = Object.fromEntries(Object.entries(answer.responseHeaders ?? details.responseHeaders).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
    host.served.push({ url, resourceType, headers });
    await route.fulfill({ status: 200, body, headers });
  }
}

/** Electron's names for what a request fetches (webRequest's resourceType). */
function electronResourceType(playwrightType: string, isMainFrame: boolean): string {
  if (playwrightType === 'document') return isMainFrame ? 'mainFrame' : 'subFrame';
  if (playwrightType === 'fetch') return 'xhr';
  if (playwrightType === 'websocket') return 'webSocket';
  return ['stylesheet', 'script', 'image', 'font', 'xhr', 'media'].includes(playwrightType) ? playwrightType : 'other';
}

/** The paths behind the Files the page put in `window.__ferryStandInPicked`: Chromium knows them. */
async function pathsOfPicked(page: Page, count: number): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const paths: string[] = [];
    for (let i = 0; i < count; i++) {
      const { result } = await cdp.send('Runtime.evaluate', { expression: `window.__ferryStandInPicked[${i}]` });
      paths.push(result.objectId ? (await cdp.send('DOM.getFileInfo', { objectId: result.objectId })).path : '');
    }
    return paths;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Runs in the page before its own scripts (serialised: no closures over Node values): the
 * renderer side of `electron` a sandboxed preload may require (contextBridge, ipcRenderer,
 * webUtils), then the preload itself.
 */
function rendererStandIn(runPreload: (require: (id: string) => unknown, module: { exports: unknown }, exports: unknown) => void): void {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const call = (kind: string, payload?: unknown): Promise<unknown> =>
    (window as unknown as { __ferryStandIn(kind: string, payload?: unknown): Promise<unknown> }).__ferryStandIn(kind, payload);
  const record = (name: string, args: unknown[]) => void call('record', { call: name, args }).catch(() => {});
  const listeners = new Map<string, Set<Listener>>();
  const ports = new Map<number, MessagePort>();
  const knownPaths = new WeakMap<File, string>();
  void call('document').catch(() => {});

  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const answer = (await call('invoke', { channel, args })) as { ok: true; value: unknown } | { ok: false; error: string };
      if (!answer.ok) throw new Error(answer.error);
      return answer.value;
    },
    on(channel: string, listener: Listener) {
      record('ipcRenderer.on', [channel]);
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return ipcRenderer;
    },
    once(channel: string, listener: Listener) {
      const once: Listener = (event, ...args) => {
        ipcRenderer.removeListener(channel, once);
        listener(event, ...args);
      };
      return ipcRenderer.on(channel, once);
    },
    removeListener(channel: string, listener: Listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    off(channel: string, listener: Listener) {
      return ipcRenderer.removeListener(channel, listener);
    },
    removeAllListeners(channel?: string) {
      if (channel === undefined) listeners.clear();
      else listeners.delete(channel);
      return ipcRenderer;
    },
  };
  const emit = (channel: string, event: unknown, args: unknown[]) => {
    for (const listener of [...(listeners.get(channel) ?? [])]) listener(event, ...args);
  };
  const electron = {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        record('contextBridge.exposeInMainWorld', [key, Object.keys(api as object)]);
        Object.defineProperty(window, key, { value: api, enumerable: true, configurable: false, writable: false });
      },
    },
    webUtils: {
      /** The path Chromium has for a File from the OS; '' for one the page made. */
      getPathForFile(file: File): string {
        return knownPaths.get(file) ?? '';
      },
    },
  };

  type Delivery =
    | { kind: 'send'; channel: string; args: unknown[] }
    | { kind: 'ports'; channel: string; message: unknown; portIds: number[] }
    | { kind: 'port-message'; portId: number; data: unknown }
    | { kind: 'port-close'; portId: number };
  Object.defineProperty(window, '__ferryStandInDeliver', {
    value: (items: Delivery[]) => {
      for (const item of items) {
        if (item.kind === 'send') {
          emit(item.channel, { sender: ipcRenderer, ports: [] }, item.args);
        } else if (item.kind === 'ports') {
          // Each of main's ports arrives as a DOM MessagePort; its twin here carries its messages.
          const handed = item.portIds.map((portId) => {
            const channel = new MessageChannel();
            ports.set(portId, channel.port2);
            channel.port2.onmessage = (event) => void call('port-message', { portId, data: event.data }).catch(() => {});
            return channel.port1;
          });
          emit(item.channel, { sender: ipcRenderer, ports: handed }, [item.message]);
        } else if (item.kind === 'port-message') {
          ports.get(item.portId)?.postMessage(item.data);
        } else {
          ports.get(item.portId)?.close();
          ports.delete(item.portId);
        }
      }
    },
  });

  // A person picked files: Chromium is asked for their paths before the page hears of them.
  window.addEventListener(
    'change',
    (event) => {
      const input = event.target;
      if (!event.isTrusted || !(input instanceof HTMLInputElement) || input.type !== 'file') return;
      event.stopImmediatePropagation();
      const files = Array.from(input.files ?? []);
      const holder = window as unknown as { __ferryStandInPicked?: File[] };
      holder.__ferryStandInPicked = files;
      void call('paths-of-picked', files.length)
        .then(
          (paths) =>
            files.forEach((file, i) => {
              const path = (paths as unknown[])[i];
              if (typeof path === 'string' && path !== '') knownPaths.set(file, path);
            }),
          () => {},
        )
        .finally(() => {
          delete holder.__ferryStandInPicked;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        });
    },
    true,
  );

  const module = { exports: {} as unknown };
  runPreload(
    (id) => {
      if (id === 'electron') return electron;
      throw new Error(`Cannot find module '${id}' (a sandboxed preload requires only electron)`);
    },
    module,
    module.exports,
  );
}
