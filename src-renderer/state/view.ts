import type { EngineSnapshot, FerrySettings } from '../../src-engine/index';
import type { EngineClient } from '../../src-engine/remote/engine-client';
import type { PickedFile } from '../../src-main/preload/api';
import { call, ferryApi } from '../platform';

/**
 * What the window's components talk to: the engine's state (pushed over its port) and commands,
 * and the few things only the window and main do (pickers, the clipboard, revealing a saved
 * file). React subscribes (useSyncExternalStore) and calls methods; the window holds no WebRTC
 * and no file bytes. Commands that can be refused answer a promise that rejects in words.
 */
export class FerryView {
  constructor(private readonly engine: EngineClient) {}

  readonly subscribe = (listener: () => void): (() => void) => this.engine.subscribe(listener);
  readonly getSnapshot = (): EngineSnapshot => this.engine.getSnapshot();

  retrySignalingNow(): void {
    void this.engine.command('retrySignalingNow').catch(() => {});
  }

  /** Rejects with a FerryError's words when the id is malformed. */
  async connectTo(peerId: string): Promise<void> {
    await this.engine.command('connectTo', peerId);
  }

  /** Rejects in words while the device is connected or has transfers under way. */
  async removeConversation(peerId: string): Promise<void> {
    await this.engine.command('removeConversation', peerId);
  }

  checkPresenceNow(peerId: string): void {
    void this.engine.command('checkPresenceNow', peerId).catch(() => {});
  }

  unpairDevice(peerId: string): Promise<Record<string, string> | undefined> {
    return this.engine.command('unpairDevice', peerId).then(orUndefined);
  }

  renameDevice(peerId: string, name: string): Promise<Record<string, string> | undefined> {
    return this.engine.command('renameDevice', peerId, name).then(orUndefined);
  }

  async forgetDevice(peerId: string): Promise<void> {
    await this.engine.command('forgetDevice', peerId);
  }

  saveSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<Record<string, string> | undefined> {
    return this.engine.command('saveSettings', patch).then(orUndefined);
  }

  /** The OS folder picker, through main; main saves the choice and tells the engine. */
  async chooseDownloadDir(): Promise<void> {
    await call(ferryApi().chooseDownloadDir());
  }

  /** Quits and starts Ferry again: main does it (settings that apply at start). */
  async restartApp(): Promise<void> {
    await call(ferryApi().restartApp());
  }

  async openPath(path: string): Promise<void> {
    await call(ferryApi().openSavedFile(path));
  }

  showInFolder(path: string): void {
    void call(ferryApi().showInFolder(path)).catch(() => {});
  }

  /**
   * Offers files and folders from a picker or a drop: their paths (read by the preload, granted
   * to the engine through main), never their bytes.
   */
  async sendFiles(peerId: string, files: readonly PickedFile[]): Promise<void> {
    if (files.length === 0) return;
    const paths = await call(ferryApi().grantFiles(files));
    await this.engine.command('sendPaths', peerId, paths);
  }

  /** A folder chosen in main's picker, granted to the engine (null: the picker was cancelled). */
  pickFolderToSend(): Promise<string[] | null> {
    return call(ferryApi().pickFolderToSend());
  }

  /** The same files to several devices: granted once, then a transfer each (each reads them itself). */
  async sendFilesToMany(peerIds: readonly string[], files: readonly PickedFile[]): Promise<void> {
    if (files.length === 0 || peerIds.length === 0) return;
    await this.sendPaths(peerIds, await call(ferryApi().grantFiles(files)));
  }

  /** Granted paths to each device, a transfer each; what failed is said together, in words. */
  async sendPaths(peerIds: readonly string[], paths: string[]): Promise<void> {
    const results = await Promise.allSettled(peerIds.map((peerId) => this.engine.command('sendPaths', peerId, paths)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    if (failed.length > 0) throw new Error(failed.join(' '));
  }

  acceptTransfer(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    void this.engine.command('acceptTransfer', peerId, key, options).catch(() => {});
  }

  declineTransfer(peerId: string, key: string): void {
    void this.engine.command('declineTransfer', peerId, key).catch(() => {});
  }

  pauseTransfer(peerId: string, key: string): void {
    void this.engine.command('pauseTransfer', peerId, key).catch(() => {});
  }

  resumeTransfer(peerId: string, key: string): void {
    void this.engine.command('resumeTransfer', peerId, key).catch(() => {});
  }

  discardTransfer(peerId: string, key: string): void {
    void this.engine.command('discardTransfer', peerId, key).catch(() => {});
  }

  removeHistoryEntry(id: string): void {
    void this.engine.command('removeHistoryEntry', id).catch(() => {});
  }

  clearHistory(): void {
    void this.engine.command('clearHistory').catch(() => {});
  }

  cancelTransfer(peerId: string, key: string): void {
    void this.engine.command('cancelTransfer', peerId, key).catch(() => {});
  }

  showPairingCode(): void {
    void this.engine.command('showPairingCode').catch(() => {});
  }

  async enterPairingCode(text: string): Promise<void> {
    await this.engine.command('enterPairingCode', text);
  }

  cancelPairing(): void {
    void this.engine.command('cancelPairing').catch(() => {});
  }

  /** "Send with a code": the files are granted to the engine, which shows the code. */
  async sendFilesWithCode(files: readonly PickedFile[]): Promise<void> {
    if (files.length === 0) return;
    await this.engine.command('sendPathsWithCode', await call(ferryApi().grantFiles(files)));
  }

  async receiveWithCode(code: string): Promise<void> {
    await this.engine.command('receiveWithCode', code);
  }

  cancelCodeTransfer(): void {
    void this.engine.command('cancelCodeTransfer').catch(() => {});
  }

  async sendText(peerId: string, body: string): Promise<void> {
    await this.engine.command('sendText', peerId, body);
  }

  /** Sends the clipboard's text (read by main) as a message. */
  async sendClipboard(peerId: string): Promise<void> {
    const text = await call(ferryApi().readClipboard());
    if (text.trim() === '') throw new Error('The clipboard holds no text.');
    await this.sendText(peerId, text.slice(0, 10_000));
  }

  copyText(text: string): Promise<null> {
    return call(ferryApi().writeClipboard(text));
  }
}

/** Field errors come back as null when there are none (JSON has no undefined). */
function orUndefined(value: Record<string, string> | undefined | null): Record<string, string> | undefined {
  return value ?? undefined;
}
