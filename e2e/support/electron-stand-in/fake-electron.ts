/*
 * A stand-in for the `electron` module in the main process, for running the built main bundle
 * (out/main/index.js) under plain Node (register.ts points `electron` here). It records every
 * call and decides nothing: the app's handlers decide, the window is a real Chromium page the test
 * process opens (renderer-bridge.ts, over the socket in FERRY_ELECTRON_STAND_IN), and a utility
 * process is a Node child process with `process.parentPort` (parent-port-shim.ts).
 *
 * Where Electron has an answer of its own, the stand-in gives the plainest one and says so here:
 * no OS key store (safeStorage unavailable), no dialogs (cancelled), an in-memory clipboard, a
 * single instance, a window that is never focused, and quitting on SIGTERM/SIGINT as Electron does
 * on Linux.
 */
import { type ChildProcess, fork as forkNode } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type AppMessage, debugLog, plain, type Probe, readMessages, STAND_IN_ENV, type StandInConfig, type StandInRecord, type WindowMessage, writeMessage } from './protocol.js';

const configText = process.env[STAND_IN_ENV];
if (!configText) throw new Error(`The Electron stand-in needs ${STAND_IN_ENV} (see e2e/support/electron-stand-in/protocol.ts).`);
const config = JSON.parse(configText) as StandInConfig;
const PARENT_PORT_SHIM = fileURLToPath(new URL('./parent-port-shim.ts', import.meta.url));

// --- The line to the test process ---------------------------------------------------------------

const socket = connect(config.socket);
const toTest = (message: AppMessage) => writeMessage(socket, message);
const record = (call: string, args: unknown[], about: Partial<Pick<StandInRecord, 'windowId' | 'pid'>> = {}) =>
  toTest({ t: 'record', record: { call, args: args.map((arg) => plain(arg)), ...about } });
readMessages<WindowMessage>(socket, (message) => onWindowMessage(message));
socket.on('error', (error) => console.error(`Electron stand-in: the line to the test failed (${error.message}).`));
// The test (the display, so to speak) went away: the app quits.
socket.on('close', () => app.quit());

const reply = (id: number, run: () => unknown) => {
  Promise.resolve()
    .then(run)
    .then(
      (value) => toTest({ t: 'reply', id, ok: true, value: plain(value) }),
      (error: unknown) => toTest({ t: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
};

function onWindowMessage(message: WindowMessage): void {
  debugLog('main', '<-', message);
  switch (message.t) {
    case 'did-start-navigation':
    case 'dom-ready':
    case 'did-finish-load':
    case 'did-fail-load':
      windows.get(message.windowId)?.webContents.lifecycle(message);
      return;
    case 'invoke':
      reply(message.id, () => ipcMain.invoke(message));
      return;
    case 'headers':
      reply(message.id, () => session.defaultSession.webRequest.headersReceived(message.details, windows.get(message.windowId)?.webContents));
      return;
    case 'port-message':
      transferredPorts.get(message.portId)?.postMessage(message.data);
      return;
    case 'port-close':
      transferredPorts.get(message.portId)?.close();
      return;
    case 'probe':
      reply(message.id, () => runProbe(message.probe));
      return;
  }
}

/** The test asks what Electron would ask the app's handlers; the answer is theirs. */
function runProbe(probe: Probe): unknown {
  const window = windows.get(probe.windowId);
  if (!window) throw new Error(`no window ${probe.windowId}`);
  const contents = window.webContents;
  switch (probe.kind) {
    case 'permission-request': {
      const handler = session.defaultSession.permissionRequestHandler;
      if (!handler) return 'no handler (Electron grants everything)';
      return new Promise((resolve) => handler(contents, probe.permission, (granted: boolean) => resolve(granted), { requestingUrl: contents.getURL(), isMainFrame: true }));
    }
    case 'permission-check': {
      const handler = session.defaultSession.permissionCheckHandler;
      if (!handler) return 'no handler (Electron grants everything)';
      return handler(contents, probe.permission, probe.origin, { requestingUrl: probe.origin, isMainFrame: true });
    }
    case 'will-navigate':
    case 'will-attach-webview': {
      const event = new PreventableEvent();
      if (probe.kind === 'will-navigate') contents.emit('will-navigate', event, probe.url);
      else contents.emit('will-attach-webview', event, {}, {});
      return { prevented: event.defaultPrevented };
    }
    case 'window-open': {
      const handler = contents.windowOpenHandler;
      if (!handler) return 'no handler (Electron opens the window)';
      return handler({ url: probe.url, frameName: '', features: '', disposition: 'new-window', referrer: { url: contents.getURL(), policy: 'strict-origin-when-cross-origin' } });
    }
  }
}

class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

// --- Message ports --------------------------------------------------------------------------------

/** Ports handed to another process (the engine's, the window's), by the id the other side knows. */
const transferredPorts = new Map<number, MessagePortMain>();
let nextPortId = 1;

interface RemoteEnd {
  post(data: unknown): void;
  close(): void;
}

/**
 * Electron's MessagePortMain: messages are cloned and delivered in order, queued until start().
 * A port handed to another process stays here as that process's handle: what its entangled port
 * posts goes there, and what comes from there is posted through it.
 */
export class MessagePortMain extends EventEmitter {
  /** @internal */ peer: MessagePortMain | undefined;
  private started = false;
  private closed = false;
  private readonly queue: unknown[] = [];
  private remote: RemoteEnd | undefined;

  postMessage(message: unknown, transfer: readonly MessagePortMain[] = []): void {
    if (transfer.length > 0) throw new Error('Electron stand-in: ports inside port messages are not stood in.');
    if (this.closed) return;
    const data = structuredClone(message);
    const peer = this.peer;
    setImmediate(() => peer?.receive(data));
  }

  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    setImmediate(() => peer?.remoteClosed());
  }

  /** @internal The port now lives in another process; returns the id it knows it by. */
  transferTo(remote: RemoteEnd): number {
    if (this.remote || this.started) throw new Error('Electron stand-in: a port can be transferred once, before it is started.');
    const id = nextPortId++;
    this.remote = remote;
    transferredPorts.set(id, this);
    for (const data of this.queue.splice(0)) remote.post(data);
    return id;
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    if (this.remote) this.remote.post(data);
    else if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }

  private remoteClosed(): void {
    if (this.remote) this.remote.close();
    else this.emit('close');
  }
}

export class MessageChannelMain {
  readonly port1 = new MessagePortMain();
  readonly port2 = new MessagePortMain();
  constructor() {
    record('new MessageChannelMain', []);
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

// --- app ------------------------------------------------------------------------------------------

class App extends EventEmitter {
  readonly isPackaged = false;
  private readonly ready: Promise<void>;
  private isReadyNow = false;
  private quitting = false;

  constructor() {
    super();
    this.ready = new Promise((resolve) =>
      setImmediate(() => {
        this.isReadyNow = true;
        this.emit('ready', {}, {});
        resolve();
      }),
    );
  }

  /** @internal */
  isQuitting(): boolean {
    return this.quitting;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  isReady(): boolean {
    return this.isReadyNow;
  }

  /** One instance here: the lock is always ours. */
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock', []);
    return true;
  }

  setAsDefaultProtocolClient(...args: unknown[]): boolean {
    record('app.setAsDefaultProtocolClient', args);
    return true;
  }

  getPath(name: string): string {
    record('app.getPath', [name]);
    const paths: Record<string, string> = { userData: config.userData, downloads: config.downloads };
    const path = paths[name];
    if (path === undefined) throw new Error(`Failed to get '${name}' path (the Electron stand-in knows userData and downloads).`);
    return path;
  }

  getAppPath(): string {
    return config.appPath;
  }

  getVersion(): string {
    return (JSON.parse(readFileSync(join(config.appPath, 'package.json'), 'utf8')) as { version: string }).version;
  }

  getName(): string {
    return (JSON.parse(readFileSync(join(config.appPath, 'package.json'), 'utf8')) as { productName?: string; name: string }).productName ?? 'Electron';
  }

  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    record('app.on', [String(event)]);
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Recorded only: a relaunch would start the app again after this one quits. */
  relaunch(...args: unknown[]): void {
    record('app.relaunch', args);
  }

  /** Electron's order: before-quit, the windows close, will-quit, quit; then the process ends. */
  quit(): void {
    record('app.quit', []);
    if (this.quitting) return;
    const beforeQuit = new PreventableEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.quitting = true;
    for (const window of [...windows.values()]) window.destroy();
    const willQuit = new PreventableEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      this.quitting = false;
      return;
    }
    this.emit('quit', {}, 0);
    void exitAfterChildren(0);
  }

  exit(code = 0): void {
    record('app.exit', [code]);
    void exitAfterChildren(code);
  }
}

export const app = new App();
// Electron run on an app folder (electron-vite preview, electron .): not packaged, the default app.
(process as { defaultApp?: boolean }).defaultApp = true;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.quit());

/** Utility processes end with the app: given 3 s after it quits, then killed. */
async function exitAfterChildren(code: number): Promise<void> {
  const running = [...utilityChildren].filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  // What the app recorded last reaches the test before the process ends.
  await new Promise<void>((resolve) => {
    setTimeout(resolve, 1000).unref();
    socket.end(() => resolve());
  });
  process.exit(code);
}
process.on('exit', () => {
  for (const child of utilityChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// --- Windows --------------------------------------------------------------------------------------

const windows = new Map<number, BrowserWindow>();
let nextWindowId = 1;

interface Frame {
  url: string;
}

class WebContents extends EventEmitter {
  readonly mainFrame: Frame = { url: '' };
  /** @internal */ windowOpenHandler: ((details: unknown) => unknown) | undefined;
  private destroyed = false;
  private pendingLoad: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(readonly id: number) {
    super();
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    record('webContents.on', [String(event)], { windowId: this.id });
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  setWindowOpenHandler(handler: (details: unknown) => unknown): void {
    record('webContents.setWindowOpenHandler', [handler], { windowId: this.id });
    this.windowOpenHandler = handler;
  }

  /** Resolves once the page has loaded (did-finish-load), as Electron's does. */
  loadURL(url: string): Promise<void> {
    record('webContents.loadURL', [url], { windowId: this.id });
    this.pendingLoad?.reject(new Error(`ERR_ABORTED (-3) loading '${url}'`));
    const loaded = new Promise<void>((resolve, reject) => (this.pendingLoad = { resolve, reject }));
    toTest({ t: 'load', windowId: this.id, url });
    return loaded;
  }

  send(channel: string, ...args: unknown[]): void {
    record('webContents.send', [channel, ...args], { windowId: this.id });
    toTest({ t: 'send', windowId: this.id, channel, args: args.map((arg) => structuredClone(arg)) });
  }

  postMessage(channel: string, message: unknown, transfer: readonly MessagePortMain[] = []): void {
    record('webContents.postMessage', [channel, message, `${transfer.length} port(s)`], { windowId: this.id });
    const portIds = transfer.map((port) => {
      const id: number = port.transferTo({
        post: (data) => toTest({ t: 'port-message', portId: id, data }),
        close: () => toTest({ t: 'port-close', portId: id }),
      });
      return id;
    });
    toTest({ t: 'post-ports', windowId: this.id, channel, message: structuredClone(message), portIds });
  }

  /** @internal What the window did, as Electron tells it. */
  lifecycle(message: Extract<WindowMessage, { t: 'did-start-navigation' | 'dom-ready' | 'did-finish-load' | 'did-fail-load' }>): void {
    switch (message.t) {
      case 'did-start-navigation':
        this.emit('did-start-navigation', Object.assign(new PreventableEvent(), { url: message.url, isMainFrame: true, isSameDocument: false, isInPlace: false, frame: this.mainFrame }));
        return;
      case 'dom-ready':
        this.emit('dom-ready', {});
        return;
      case 'did-finish-load':
        this.mainFrame.url = message.url;
        this.emit('did-finish-load', {});
        this.pendingLoad?.resolve();
        this.pendingLoad = undefined;
        return;
      case 'did-fail-load':
        this.emit('did-fail-load', {}, -2, message.error, message.url, true);
        this.pendingLoad?.reject(new Error(`${message.error} loading '${message.url}'`));
        this.pendingLoad = undefined;
        return;
    }
  }

  /** @internal */
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class BrowserWindow extends EventEmitter {
  readonly id = nextWindowId++;
  readonly webContents = new WebContents(this.id);
  private destroyed = false;
  private visible = false;
  private minimized = false;
  private readyToShow = false;

  static getAllWindows(): BrowserWindow[] {
    return [...windows.values()];
  }

  constructor(options: { show?: boolean } & Record<string, unknown> = {}) {
    super();
    record('new BrowserWindow', [options], { windowId: this.id });
    windows.set(this.id, this);
    toTest({ t: 'window', windowId: this.id, options: plain(options) });
    app.emit('web-contents-created', new PreventableEvent(), this.webContents);
    // The stand-in's own listener, not recorded as the app's.
    EventEmitter.prototype.on.call(this.webContents, 'dom-ready', () => {
      if (this.readyToShow) return;
      this.readyToShow = true;
      this.emit('ready-to-show');
    });
    if (options.show !== false) this.show();
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  show(): void {
    record('BrowserWindow.show', [], { windowId: this.id });
    this.visible = true;
  }

  isVisible(): boolean {
    return this.visible;
  }

  focus(): void {
    record('BrowserWindow.focus', [], { windowId: this.id });
  }

  /** A headless page: never the focused window. */
  isFocused(): boolean {
    return false;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    record('BrowserWindow.restore', [], { windowId: this.id });
    this.minimized = false;
  }

  setProgressBar(progress: number): void {
    record('BrowserWindow.setProgressBar', [progress], { windowId: this.id });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  close(): void {
    record('BrowserWindow.close', [], { windowId: this.id });
    const event = new PreventableEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    windows.delete(this.id);
    toTest({ t: 'close-window', windowId: this.id });
    this.webContents.destroy();
    this.emit('closed');
    // Not while the app quits (Electron's rule: app.quit() closes the windows without it).
    if (windows.size === 0 && !app.isQuitting()) app.emit('window-all-closed');
  }
}

// --- ipcMain --------------------------------------------------------------------------------------

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class IpcMain extends EventEmitter {
  private readonly handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    record('ipcMain.handle', [channel]);
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    record('ipcMain.removeHandler', [channel]);
    this.handlers.delete(channel);
  }

  /** @internal The window's ipcRenderer.invoke: the handler's answer, or Electron's error. */
  async invoke(message: Extract<WindowMessage, { t: 'invoke' }>): Promise<unknown> {
    record('ipcRenderer.invoke', [message.channel, ...message.args], { windowId: message.windowId });
    const contents = windows.get(message.windowId)?.webContents;
    const handler = this.handlers.get(message.channel);
    if (!contents) throw new Error(`Error invoking remote method '${message.channel}': the window is gone`);
    if (!handler) throw new Error(`Error invoking remote method '${message.channel}': Error: No handler registered for '${message.channel}'`);
    const senderFrame = message.isMainFrame ? contents.mainFrame : { url: message.frameUrl };
    try {
      return await handler({ sender: contents, senderFrame, frameId: message.isMainFrame ? 1 : 2, processId: 1 }, ...message.args);
    } catch (error) {
      throw new Error(`Error invoking remote method '${message.channel}': ${String(error)}`, { cause: error });
    }
  }
}

export const ipcMain = new IpcMain();

// --- session --------------------------------------------------------------------------------------

type HeadersListener = (details: unknown, callback: (response: { cancel?: boolean; responseHeaders?: Record<string, string[] | string>; statusLine?: string }) => void) => void;
type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean;

class WebRequest {
  private headersListener: HeadersListener | undefined;

  onHeadersReceived(filterOrListener: unknown, maybeListener?: HeadersListener | null): void {
    const listener = (typeof filterOrListener === 'function' ? filterOrListener : maybeListener) as HeadersListener | null | undefined;
    record('session.defaultSession.webRequest.onHeadersReceived', typeof filterOrListener === 'function' ? [listener] : [filterOrListener, listener]);
    this.headersListener = listener ?? undefined;
  }

  /** @internal A response reached the window: the listener's headers, or the response's own. */
  headersReceived(details: object, contents: WebContents | undefined): Promise<unknown> {
    const listener = this.headersListener;
    if (!listener) return Promise.resolve({ responseHeaders: (details as { responseHeaders: unknown }).responseHeaders });
    return new Promise((resolve) => listener({ ...details, webContents: contents, webContentsId: contents?.id }, (response) => resolve(response)));
  }
}

class Session {
  readonly webRequest = new WebRequest();
  /** @internal */ permissionRequestHandler: PermissionRequestHandler | undefined;
  /** @internal */ permissionCheckHandler: PermissionCheckHandler | undefined;

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    record('session.defaultSession.setPermissionRequestHandler', [handler]);
    this.permissionRequestHandler = handler ?? undefined;
  }

  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    record('session.defaultSession.setPermissionCheckHandler', [handler]);
    this.permissionCheckHandler = handler ?? undefined;
  }
}

export const session = { defaultSession: new Session() };

// --- utilityProcess -------------------------------------------------------------------------------

const utilityChildren = new Set<ChildProcess>();

/**
 * Electron's UtilityProcess as a Node child process: `process.parentPort` in it comes from
 * parent-port-shim.ts, over the child's IPC channel; ports go along by id.
 */
class UtilityProcess extends EventEmitter {
  readonly pid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  private readonly child: ChildProcess;

  constructor(modulePath: string, args: readonly string[], options: { stdio?: unknown; env?: NodeJS.ProcessEnv; cwd?: string }) {
    super();
    // Electron's stdio option is about stdout and stderr (default 'inherit'); stdin is not the child's.
    const stdio = options.stdio === 'ignore' || options.stdio === 'pipe' ? options.stdio : 'inherit';
    this.child = forkNode(modulePath, [...args], {
      execArgv: ['--import', 'tsx', '--import', PARENT_PORT_SHIM],
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      serialization: 'advanced',
      stdio: ['ignore', stdio, stdio, 'ipc'],
    });
    this.pid = this.child.pid;
    this.stdout = this.child.stdout;
    this.stderr = this.child.stderr;
    utilityChildren.add(this.child);
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('exit', (code, signal) => {
      record('utilityProcess exit', [code, signal], { ...(this.pid ? { pid: this.pid } : {}) });
      this.emit('exit', code);
    });
    this.child.on('message', (message: { standIn?: string; data?: unknown; id?: number }) => {
      if (message.standIn === 'parent') this.emit('message', message.data);
      else if (message.standIn === 'port') transferredPorts.get(message.id as number)?.postMessage(message.data);
      else if (message.standIn === 'port-close') transferredPorts.get(message.id as number)?.close();
    });
  }

  postMessage(message: unknown, transfer: readonly MessagePortMain[] = []): void {
    record('UtilityProcess.postMessage', [message, `${transfer.length} port(s)`], { ...(this.pid ? { pid: this.pid } : {}) });
    const send = (value: unknown) => {
      if (this.child.connected) this.child.send(value as never);
    };
    const ports = transfer.map((port) => {
      const id: number = port.transferTo({
        post: (data) => send({ standIn: 'port', id, data }),
        close: () => send({ standIn: 'port-close', id }),
      });
      return id;
    });
    send({ standIn: 'parent', data: message, ports });
  }

  kill(): boolean {
    record('UtilityProcess.kill', [], { ...(this.pid ? { pid: this.pid } : {}) });
    return this.child.kill('SIGTERM');
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: readonly string[] = [], options: { stdio?: unknown; env?: NodeJS.ProcessEnv; cwd?: string; serviceName?: string } = {}): UtilityProcess {
    const child = new UtilityProcess(modulePath, args, options);
    record('utilityProcess.fork', [modulePath, args, options], { ...(child.pid ? { pid: child.pid } : {}) });
    return child;
  },
};

// --- The desktop: recorded, with the plainest answers ---------------------------------------------

export const safeStorage = {
  /** No OS key store here. */
  isEncryptionAvailable(): boolean {
    record('safeStorage.isEncryptionAvailable', []);
    return false;
  },
  encryptString(): Buffer {
    throw new Error('Encryption is not available.');
  },
  decryptString(): string {
    throw new Error('Decryption is not available.');
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    record('shell.openExternal', [url]);
  },
  async openPath(path: string): Promise<string> {
    record('shell.openPath', [path]);
    return '';
  },
  showItemInFolder(path: string): void {
    record('shell.showItemInFolder', [path]);
  },
};

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }

  constructor(private readonly options: unknown) {
    super();
    record('new Notification', [options]);
  }

  show(): void {
    record('Notification.show', [this.options]);
  }
}

class NativeImage {
  constructor(
    readonly path: string,
    readonly size?: unknown,
  ) {}

  isEmpty(): boolean {
    return !existsSync(this.path);
  }

  resize(options: unknown): NativeImage {
    record('NativeImage.resize', [this.path, options]);
    return new NativeImage(this.path, options);
  }
}

export const nativeImage = {
  createFromPath(path: string): NativeImage {
    record('nativeImage.createFromPath', [path]);
    return new NativeImage(path);
  },
};

export class Tray extends EventEmitter {
  constructor(image: NativeImage) {
    super();
    record('new Tray', [{ path: image.path, size: image.size }]);
  }

  setToolTip(text: string): void {
    record('Tray.setToolTip', [text]);
  }

  setContextMenu(menu: unknown): void {
    record('Tray.setContextMenu', [menu]);
  }

  destroy(): void {
    record('Tray.destroy', []);
  }
}

export const Menu = {
  buildFromTemplate(template: unknown[]): { items: unknown[] } {
    record('Menu.buildFromTemplate', [template]);
    return { items: template };
  },
};

/** No dialogs here: every one is cancelled. */
export const dialog = {
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    record('dialog.showOpenDialog', args.filter((arg) => !(arg instanceof BrowserWindow)));
    return { canceled: true, filePaths: [] };
  },
};

let clipboardText = '';
export const clipboard = {
  readText(): string {
    record('clipboard.readText', []);
    return clipboardText;
  },
  writeText(text: string): void {
    record('clipboard.writeText', [text]);
    clipboardText = text;
  },
};

export default { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, MessageChannelMain, nativeImage, Notification, safeStorage, session, shell, Tray, utilityProcess };
