// A window made the unsafe way, for checking that the security scanner runs and sees (never shipped).
import { BrowserWindow } from 'electron';

const window = new BrowserWindow({
  webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false },
});
window.loadURL('http://example.invalid/');
