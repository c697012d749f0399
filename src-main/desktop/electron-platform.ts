import { type BrowserWindow, dialog, Notification, shell } from 'electron';
import type { DesktopPlatform } from '../platform.js';

/** The desktop in the app: Electron's dialog, shell, notifications and the window's taskbar entry. */
export function electronPlatform(window: () => BrowserWindow | undefined): DesktopPlatform {
  return {
    async pickFolder(title, startIn) {
      const owner = window();
      const options = { title, defaultPath: startIn, properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
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
  };
}
