import type { RecentTransfer } from './preload/api.js';

/**
 * What main needs from the desktop, injected: Electron's dialog, shell, notifications and
 * window in the app; a recording stand-in in tests (e2e/hosts/main-host.ts).
 */
export interface DesktopPlatform {
  /** The OS folder picker; null when the user cancels. */
  pickFolder(title: string, startIn: string): Promise<string | null>;
  /** Opens the file manager with this file selected. */
  showItemInFolder(path: string): void;
  /** Opens a file with its default app; resolves to an error in words, or '' (Electron's shell.openPath). */
  openPath(path: string): Promise<string>;
  /** An OS notification (shown by main only while the window is not focused). */
  notify(title: string, body: string): void;
  /** The taskbar/dock progress: 0..1, or null for none. */
  setProgress(fraction: number | null): void;
  readClipboard(): Promise<string>;
  writeClipboard(text: string): void;
  /** The tray menu's last transfers. */
  setRecentTransfers(recent: readonly RecentTransfer[]): void;
  /** Whether the app window has focus (notifications are for when it does not). */
  windowFocused(): boolean;
  /** Quits and starts the app again (settings that apply at start: the signaling server). */
  restart(): void;
}
