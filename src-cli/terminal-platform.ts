import type { DesktopPlatform } from '../src-main/platform.js';

/**
 * The desktop a terminal has: none. The engine's notifications, taskbar progress and tray are
 * the window's business; the CLI shows transfers itself (output/), so these do nothing.
 */
export const terminalPlatform: DesktopPlatform = {
  pickFolder: async () => null,
  showItemInFolder: () => {},
  openPath: async () => 'A terminal opens no files.',
  notify: () => {},
  setProgress: () => {},
  readClipboard: async () => '',
  writeClipboard: () => {},
  setRecentTransfers: () => {},
  // The person is at the terminal: the engine needs no notification to reach them.
  windowFocused: () => true,
  restart: () => {},
};
