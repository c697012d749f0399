import type { Engine, EngineSnapshot, FerrySettings } from '../../src-engine/index';
import { BlobSource, manifestFromFiles, manifestFromItems } from '../files/blob-source';
import type { PickedItem } from '../files/dropped-items';
import { call, ferryApi } from '../platform';

/**
 * What the window's components talk to: the engine's state and commands, and the few things
 * only the window and main do (pickers, the clipboard, revealing a saved file). React subscribes
 * (useSyncExternalStore) and calls methods; nothing protocol-related lives in components.
 */
export class FerryView {
  constructor(private readonly engine: Engine) {}

  readonly subscribe = (listener: () => void): (() => void) => this.engine.subscribe(listener);
  readonly getSnapshot = (): EngineSnapshot => this.engine.getSnapshot();

  retrySignalingNow(): void {
    this.engine.retrySignalingNow();
  }

  /** Throws a FerryError with words for the user when the id is malformed. */
  connectTo(peerId: string): void {
    this.engine.connectTo(peerId);
  }

  checkPresenceNow(peerId: string): void {
    this.engine.checkPresenceNow(peerId);
  }

  unpairDevice(peerId: string): Promise<Record<string, string> | undefined> {
    return this.engine.unpairDevice(peerId);
  }

  renameDevice(peerId: string, name: string): Promise<Record<string, string> | undefined> {
    return this.engine.renameDevice(peerId, name);
  }

  forgetDevice(peerId: string): Promise<void> {
    return this.engine.forgetDevice(peerId);
  }

  saveSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<Record<string, string> | undefined> {
    return this.engine.saveSettings(patch);
  }

  /** The OS folder picker, through main; the choice is saved there. */
  async chooseDownloadDir(): Promise<void> {
    const result = await call(ferryApi().chooseDownloadDir());
    if (result?.ok) await this.engine.settingsChanged(result.settings);
  }

  showInFolder(path: string): void {
    void call(ferryApi().showInFolder(path)).catch(() => {});
  }

  /** Offers picked files (a folder picker's keep their relative paths) to a connected device. */
  sendFiles(peerId: string, files: readonly File[]): void {
    const { entries, blobs } = manifestFromFiles(files);
    this.engine.sendFiles(peerId, { entries, source: new BlobSource(blobs) });
  }

  /** Offers what was dropped on a device's tile: files and folders, empty folders included. */
  sendItems(peerId: string, items: readonly PickedItem[]): void {
    const { entries, blobs } = manifestFromItems(items);
    this.engine.sendFiles(peerId, { entries, source: new BlobSource(blobs) });
  }

  acceptTransfer(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    this.engine.acceptTransfer(peerId, key, options);
  }

  declineTransfer(peerId: string, key: string): void {
    this.engine.declineTransfer(peerId, key);
  }

  cancelTransfer(peerId: string, key: string): void {
    this.engine.cancelTransfer(peerId, key);
  }

  showPairingCode(): void {
    this.engine.showPairingCode();
  }

  enterPairingCode(text: string): void {
    this.engine.enterPairingCode(text);
  }

  cancelPairing(): void {
    this.engine.cancelPairing();
  }

  sendText(peerId: string, body: string): void {
    this.engine.sendText(peerId, body);
  }

  /** Sends the clipboard's text (read by main) as a message. */
  async sendClipboard(peerId: string): Promise<void> {
    const text = await call(ferryApi().readClipboard());
    if (text.trim() === '') throw new Error('The clipboard holds no text.');
    this.engine.sendText(peerId, text.slice(0, 10_000));
  }

  copyText(text: string): Promise<null> {
    return call(ferryApi().writeClipboard(text));
  }
}
