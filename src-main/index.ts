import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { type LanSource, startLanSource } from './lan/lan-source.js';
import { createIpcDispatcher } from './ipc/dispatcher.js';
import { FERRY_CHANNELS } from './preload/channels.js';
import { buildContentSecurityPolicy } from './security/csp.js';
import { isAllowedNavigation, isPermissionGranted } from './security/navigation.js';
import { createSenderCheck } from './security/trusted-sender.js';
import { electronPlatform } from './desktop/electron-platform.js';
import { createMainServices } from './services.js';
import { SettingsStore } from './settings/store.js';
import { IdentityStore } from './identity/identity-store.js';
import { safeStorageBox } from './identity/safe-storage-box.js';
import { fetchJsonWithTimeout, resolveSignalingSource, type SignalingSource } from './signaling/signaling-source.js';

// Electron glue only: every decision lives in the plain modules imported above.

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

async function main(): Promise<void> {
  await app.whenReady();

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
    configuredKey: process.env.FERRY_SIGNALING_KEY ?? (signalingSetting.kind === 'custom' ? signalingSetting.token : undefined),
    // Built-in: the LAN's Ferry server found by mDNS, or ours, hosted and advertised.
    startEmbedded: async () => {
      lan = await startLanSource({ log: (message) => console.log(message) });
      return { url: lan.url, close: () => (lan as LanSource).close() };
    },
    fetchJson: fetchJsonWithTimeout,
    warn: (message) => console.warn(message),
  });
  app.on('will-quit', () => void signaling.close());

  const csp = buildContentSecurityPolicy({
    connectTo: [signaling.config.url, ...(devServerUrl ? [devServerUrl] : [])],
    dev: devServerUrl !== undefined,
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((webContents, permission, callback) => {
    callback(isPermissionGranted(permission, webContents.getURL(), rendererUrl));
  });
  session.defaultSession.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin, rendererUrl),
  );

  // The window is made after the services it uses (for dialogs, notifications, progress).
  const windowRef: { current?: BrowserWindow } = {};
  const services = createMainServices({
    settings,
    appVersion: app.getVersion(),
    platform: process.platform,
    desktop: electronPlatform(() => windowRef.current),
    signalingConfig: async () => signaling.config,
    defaultDownloadDir: app.getPath('downloads'),
    lanStatus: () => lan?.status(),
    identity,
  });
  app.on('will-quit', () => void services.downloads.abortAll());
  const dispatch = createIpcDispatcher(services, createSenderCheck(rendererUrl), (method, error) =>
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
      if (url.startsWith('https://')) void shell.openExternal(url);
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
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  windowRef.current = window;
  window.once('ready-to-show', () => window.show());
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  await window.loadURL(rendererUrl);

  app.on('window-all-closed', () => app.quit());
}
