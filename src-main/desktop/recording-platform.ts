import type { DesktopPlatform } from '../platform.js';
import type { RecentTransfer } from '../preload/api.js';

export type DesktopEvent =
  | { type: 'notify'; title: string; body: string }
  | { type: 'progress'; fraction: number | null }
  | { type: 'show-in-folder'; path: string }
  | { type: 'pick-folder'; title: string }
  | { type: 'recent-transfers'; recent: readonly RecentTransfer[] }
  | { type: 'clipboard-write'; text: string }
  | { type: 'restart' }
  | { type: 'open-path'; path: string };

/**
 * The desktop for tests: records what main asked of it and answers the folder picker with a
 * prepared choice. Used by the e2e main-services host, where there is no Electron.
 */
export class RecordingPlatform implements DesktopPlatform {
  readonly events: DesktopEvent[] = [];
  /** What the next folder pick answers (null: the user cancels). */
  nextFolder: string | null = null;
  focused = false;
  /** The system clipboard's text. */
  clipboard = '';

  constructor(private readonly onEvent: (event: DesktopEvent) => void = () => {}) {}

  async pickFolder(title: string): Promise<string | null> {
    this.record({ type: 'pick-folder', title });
    return this.nextFolder;
  }

  async openPath(path: string): Promise<string> {
    this.record({ type: 'open-path', path });
    return '';
  }

  showItemInFolder(path: string): void {
    this.record({ type: 'show-in-folder', path });
  }

  notify(title: string, body: string): void {
    this.record({ type: 'notify', title, body });
  }

  setProgress(fraction: number | null): void {
    this.record({ type: 'progress', fraction });
  }

  async readClipboard(): Promise<string> {
    return this.clipboard;
  }

  writeClipboard(text: string): void {
    this.clipboard = text;
    this.record({ type: 'clipboard-write', text });
  }

  setRecentTransfers(recent: readonly RecentTransfer[]): void {
    this.record({ type: 'recent-transfers', recent });
  }

  windowFocused(): boolean {
    return this.focused;
  }

  restart(): void {
    this.record({ type: 'restart' });
  }

  private record(event: DesktopEvent): void {
    this.events.push(event);
    this.onEvent(event);
  }
}
