import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { type LanSource, startLanSource } from './lan/lan-source.js';
import { createIpcDispatcher } from './ipc/dispatcher.js';
import { FERRY_CHANNELS, FERRY_EVENTS } from './preload/channels.js';
import { PairingLinkOutbox } from './deep-link/pairing-link-outbox.js';
import { findPairingLinkInArgv, PAIRING_LINK_SCHEME, parsePairingLink, type PairingLinkResult } from './deep-link/pairing-link-url.js';
import { buildContentSecurityPolicy } from './security/csp.js';
import { isAllowedNavigation, isPermissionGranted } from './security/navigation.js';
import { createSenderCheck } from './security/trusted-sender.js';
import { electronPlatform } from './desktop/electron-platform.js';
import { createMainServices } from './services.js';
import { SettingsStore } from './settings/store.js';
import { IdentityStore } from './identity/identity-store.js';
import { safeStorageBox } from './identity/safe-storage-box.js';
import { fetchJsonWithTimeout, resolveSignalingSource, type SignalingSource } from './signaling/signaling-source.js';
import { startEngineProcess } from './engine/engine-process.js';
import { HistoryStore } from './files/history-store.js';
import { webPageAt } from '../signaling-server/src/index.js';
import { OutgoingStore } from './files/outgoing-store.js';

// Electron glue only: every decision lives in the plain modules imported above.

// ferry://pair/<code> links can arrive before the window exists: the outbox keeps one for it.
const pairingLinks = new PairingLinkOutbox();
const windowRef: { current?: BrowserWindow } = {};

if (!app.requestSingleInstanceLock()) {
  // The first instance gets our command line (and any link in it) as `second-instance`.
  app.quit();
} else {
  // macOS hands links over as `open-url`, possibly before `ready`: listen from the start.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openPairingLink('open-url', parsePairingLink(url));
  });
  // Windows and Linux start Ferry with the link as an argument, or start a second Ferry with it.
  openPairingLink('the command line', findPairingLinkInArgv(process.argv));
  // Registered here, not once the window exists: a start while we start up must not be lost.
  app.on('second-instance', (_event, argv) => {
    focusWindow();
    openPairingLink('another start of Ferry', findPairingLinkInArgv(argv));
  });
  void main();
}

function focusWindow(): void {
  const window = windowRef.current;
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.focus();
}

/** A link never pairs by itself: the window asks the person (PairingLinkPrompt). */
function openPairingLink(source: string, link: PairingLinkResult | undefined): void {
  if (link === undefined) return;
  if (!link.ok) {
    console.warn(`Ignored a ferry: link from ${source}: ${link.reason}`);
    return;
  }
  pairingLinks.offer(link.code);
  focusWindow();
}

function registerForPairingLinks(): void {
  // In development Electron runs our script, so the OS must start `electron <script> <link>`
  // (Electron's documented recipe for `process.defaultApp`); packaged, the app itself.
  const script = process.argv[1];
  const registered = process.defaultApp
    ? script !== undefined && app.setAsDefaultProtocolClient(PAIRING_LINK_SCHEME, process.execPath, [resolve(script)]) // eng-disable PROTOCOL_HANDLER_JS_CHECK — see below
    : app.setAsDefaultProtocolClient(PAIRING_LINK_SCHEME); // eng-disable PROTOCOL_HANDLER_JS_CHECK — a ferry: link is parsed strictly (src-main/deep-link/) and can only make the window ask to pair
  if (!registered) console.warn(`Ferry could not register itself for ${PAIRING_LINK_SCHEME}:// links; opening a pairing link will not start it.`);
}

async function main(): Promise<void> {
  await app.whenReady();
  registerForPairingLinks();

  const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const rendererUrl = devServerUrl ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;

  const settings = await SettingsStore.open({
    file: join(app.getPath('userData'), 'settings.json'),
    defaultDeviceName: hostname(),
    warn: (message) => console.warn(message),
  });
  // The environment wins over the settings (for scripted setups); a changed server applies at
  // the next start.
  const box = safeStorageBox();
  const identity = await IdentityStore.open({ file: join(app.getPath('userData'), 'identity.json'), ...(box ? { box } : {}), warn: (message) => console.warn(message) });
  const signalingSetting = settings.get().signaling;
  let lan: LanSource | undefined;
  const signaling: SignalingSource = await resolveSignalingSource({
    configuredUrl: process.env.FERRY_SIGNALING_URL ?? (signalingSetting.kind === 'custom' ? signalingSetting.url : undefined),
    configuredKey: process.env.FERRY_SIGNALING_KEY,
    configuredToken: process.env.FERRY_SIGNALING_TOKEN ?? (signalingSetting.kind === 'custom' ? signalingSetting.token : undefined),
    // Built-in: the LAN's Ferry server found by mDNS, or ours, hosted and advertised.
    startEmbedded: async () => {
      lan = await startLanSource({ log: (message) => console.log(message), webPage: webPageAt(join(import.meta.dirname, '../web')) });
      return { url: lan.url, close: () => (lan as LanSource).close() };
    },
    fetchJson: fetchJsonWithTimeout,
    warn: (message) => console.warn(message),
  });
  app.on('will-quit', () => void signaling.close());

  // The window reaches no network: the engine, in its own process, does.
  const csp = buildContentSecurityPolicy({ connectTo: devServerUrl ? [devServerUrl] : [], dev: devServerUrl !== undefined });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }); // eng-disable CSP_GLOBAL_CHECK — built by buildContentSecurityPolicy (src-main/security/), checked in its tests and in the window
  });
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback) => {
    callback(isPermissionGranted(permission, webContents.getURL(), rendererUrl));
  });
  // A file:// page's origin is opaque ("file:///"): judge the URL of the page that asks.
  session.defaultSession.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    isPermissionGranted(permission, details?.requestingUrl || requestingOrigin, rendererUrl),
  );

  // The window is made after the services it uses (for dialogs, notifications, progress).
  const services = createMainServices({
    settings,
    appVersion: app.getVersion(),
    platform: process.platform,
    desktop: electronPlatform(() => windowRef.current),
    signalingConfig: async () => ({ ...signaling.config, ...(process.env.FERRY_SIGNALING_URL ? { fromEnvironment: true } : {}) }),
    defaultDownloadDir: app.getPath('downloads'),
    lanStatus: () => lan?.status(),
    identity,
    pairingLinks,
    grantPaths: (paths) => engine.grantPaths(paths),
  });
  app.on('will-quit', () => void services.downloads.abortAll());
  // Every byte moves in the engine's own process; the window is a view over it.
  // Outgoing transfers not yet ended for good: a restart offers them again (Resume).
  const outgoing = await OutgoingStore.open(join(app.getPath('userData'), 'outgoing-transfers.json'), (message) => console.warn(message));
  const history = await HistoryStore.open(join(app.getPath('userData'), 'transfer-history.json'), (message) => console.warn(message));
  const engine = startEngineProcess({ services, settings, savedPaths: services.downloads.savedPaths, outgoing, history });
  app.on('will-quit', () => engine.stop());
  const isTrustedSender = createSenderCheck(rendererUrl);
  const dispatch = createIpcDispatcher(services, isTrustedSender, (method, error) =>
    console.error(`IPC ${method} failed`, error),
  );
  for (const [method, channel] of Object.entries(FERRY_CHANNELS)) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      dispatch(
        method,
        { frameUrl: event.senderFrame?.url, isMainFrame: event.senderFrame === event.sender.mainFrame },
        args,
      ),
    );
  }

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to the web open in the user's browser, never in an Electron window.
      if (url.startsWith('https://')) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK — https only, in the user's browser, never in Ferry
      return { action: 'deny' };
    });
  });

  const window = new BrowserWindow({
    width: 960,
    height: 680,
    minWidth: 560,
    minHeight: 420,
    title: 'Ferry',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'), // eng-disable PRELOAD_JS_CHECK — sandboxed, exposes only the typed ferry API (src-main/preload/), every call checked in main
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // A middle click must not open a link in a new window (navigation is denied anyway).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  windowRef.current = window;
  window.once('ready-to-show', () => window.show());
  // Links go to Ferry's own page only, once it listens (preload: onPairingLink); while it
  // reloads or after a crash, the outbox keeps them until it listens again.
  pairingLinks.connect((code) => {
    if (window.isDestroyed()) return false;
    const contents = window.webContents;
    if (!isTrustedSender({ frameUrl: contents.mainFrame.url, isMainFrame: true })) return false;
    contents.send(FERRY_EVENTS.onPairingLink.channel, code);
    return true;
  });
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) pairingLinks.stopListening();
  });
  window.webContents.on('render-process-gone', () => pairingLinks.stopListening());
  // Each load of Ferry's page (a reload too) gets its own port to the engine.
  window.webContents.on('did-finish-load', () => {
    if (isTrustedSender({ frameUrl: window.webContents.mainFrame.url, isMainFrame: true })) engine.connectWindow(window);
  });
  await window.loadURL(rendererUrl);

  app.on('window-all-closed', () => app.quit());
}
