import { join } from 'node:path';
import { app, type BrowserWindow, clipboard, dialog, Menu, nativeImage, Notification, shell, Tray } from 'electron';
import type { DesktopPlatform } from '../platform.js';
import type { RecentTransfer } from '../preload/api.js';
import { trayMenuTemplate } from './tray-menu.js';

/**
 * The desktop in the app: Electron's dialog, shell, notifications, the window's taskbar entry
 * and a tray icon with the last transfers. Decisions live in plain modules (tray-menu.ts).
 */
export function electronPlatform(window: () => BrowserWindow | undefined): DesktopPlatform {
  const openWindow = () => {
    const owner = window();
    if (owner?.isMinimized()) owner.restore();
    owner?.show();
    owner?.focus();
  };
  let tray: Tray | undefined;
  const showTray = (recent: readonly RecentTransfer[]) => {
    try {
      updateTray(recent);
    } catch (error) {
      // A desktop without a tray (some Linux sessions) costs the menu, not the app.
      console.warn('No tray icon:', error);
    }
  };
  const updateTray = (recent: readonly RecentTransfer[]) => {
    if (!tray) {
      const icon = app.isPackaged ? join(process.resourcesPath, 'tray-icon.png') : join(app.getAppPath(), 'build', 'icon.png');
      tray = new Tray(nativeImage.createFromPath(icon).resize({ width: 22, height: 22 }));
      tray.setToolTip('Ferry');
      tray.on('click', openWindow);
      app.on('will-quit', () => tray?.destroy());
    }
    const template = trayMenuTemplate(recent).map((item) =>
      item.kind === 'separator'
        ? { type: 'separator' as const }
        : { label: item.label, enabled: item.enabled, click: item.action === 'open' ? openWindow : item.action === 'quit' ? () => app.quit() : undefined },
    );
    tray.setContextMenu(Menu.buildFromTemplate(template));
  };
  app.whenReady().then(
    () => showTray([]),
    () => {},
  );
  return {
    readClipboard() {
      return clipboard.readText();
    },
    writeClipboard(text) {
      clipboard.writeText(text);
    },
    setRecentTransfers(recent) {
      showTray(recent);
    },
    async pickFolder(title, startIn) {
      const owner = window();
      const options = { title, defaultPath: startIn, properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    openPath(path) {
      return shell.openPath(path);
    },
    showItemInFolder(path) {
      shell.showItemInFolder(path);
    },
    notify(title, body) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title, body, silent: false });
      notification.on('click', () => {
        const owner = window();
        if (owner?.isMinimized()) owner.restore();
        owner?.focus();
      });
      notification.show();
    },
    setProgress(fraction) {
      // -1 removes the bar (Electron's convention).
      window()?.setProgressBar(fraction === null ? -1 : fraction);
    },
    windowFocused() {
      return window()?.isFocused() ?? false;
    },
    restart() {
      // Electron's recipe: relaunch takes effect when this instance quits (will-quit runs as usual).
      app.relaunch();
      app.quit();
    },
  };
}
