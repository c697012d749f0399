/*
 * The renderer's view of main: types only, no code. The renderer imports this file (type-only);
 * the preload implements it; main's IPC handlers serve it. The device's shapes come from the
 * engine's contract (type-only: nothing of the engine is bundled into the preload).
 */
import type { DeviceInfo, SettingsUpdate, SignalingConfig } from '../../src-engine/contract/device';

export type { DeliveryModeSetting, DeviceInfo, FerrySettings, IceServerConfig, LanStatus, PublicIdentity, RecentTransfer, SettingsUpdate, SignalingConfig } from '../../src-engine/contract/device';




export interface IpcError {
  code: 'INVALID_ARGUMENT' | 'UNTRUSTED_SENDER' | 'UNKNOWN_METHOD' | 'FAILED';
  message: string;
}

/** Every call answers with a result: a rejected promise across IPC loses the error's shape. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** One entry of an incoming transfer's manifest (the core's ManifestEntry, restated: no imports here). */
export type IncomingEntry =
  | { kind: 'file'; path: string; size: number; mtime: number }
  | { kind: 'directory'; path: string };







/** The window's calls to main: one function per message, nothing generic (FERRY_CHANNELS). */
export interface FerryCalls {
  getSignalingConfig(): Promise<IpcResult<SignalingConfig>>;
  getDeviceInfo(): Promise<IpcResult<DeviceInfo>>;
  /** The clipboard's text, through main (the window itself may not read the clipboard). */
  readClipboard(): Promise<IpcResult<string>>;
  writeClipboard(text: string): Promise<IpcResult<null>>;
  /** Opens the OS folder picker and saves the choice; null when cancelled. */
  chooseDownloadDir(): Promise<IpcResult<SettingsUpdate | null>>;
  /** Quits and starts Ferry again (what applies at start then applies). */
  restartApp(): Promise<IpcResult<null>>;
  /** Reveals a file Ferry saved in the file manager. */
  showInFolder(path: string): Promise<IpcResult<null>>;
  /** Opens a file Ferry saved, with its default app; a program is refused (show it in its folder). */
  openSavedFile(path: string): Promise<IpcResult<null>>;
  /**
   * Asks which folder to send (main's picker: a folder chosen in the window's own picker arrives
   * as its files only, without its empty subfolders); granted to the engine; null if cancelled.
   */
  pickFolderToSend(): Promise<IpcResult<string[] | null>>;
  /** Prepares the download folder for an accepted offer (free space, unique names, staging). */
  receiveStart(entries: IncomingEntry[], totalBytes: number): Promise<IpcResult<{ sinkId: string }>>;
  /** Writes one received chunk; answering means it is written. */
  receiveWrite(sinkId: string, fileIndex: number, offset: number, bytes: Uint8Array): Promise<IpcResult<null>>;
  /** Moves a verified file to its final name. */
  receiveFinalize(sinkId: string, fileIndex: number): Promise<IpcResult<{ path: string }>>;
  /** Removes everything partial of a failed or cancelled transfer. */
  receiveAbort(sinkId: string): Promise<IpcResult<null>>;
  /**
   * For the preload's onPairingLink, not for the page: from now on main pushes pairing links to
   * this window; answers the code of one that came before (kept by main), once, or null.
   */
  listenPairingLinks(): Promise<IpcResult<string | null>>;
}

/**
 * Calls only the preload makes, never exposed to the page: the page hands the preload File
 * objects, and only the preload can read their paths (webUtils) and vouch for them.
 */
export interface PreloadCalls {
  /** Files and folders a person picked or dropped, as absolute paths: the engine may send these. */
  grantPaths(paths: string[]): Promise<IpcResult<string[]>>;
}

/** A file the page got from a drop or a picker (a DOM File; only what the preload reads of it). */
export interface PickedFile {
  readonly name: string;
  /** "Holiday/2026/a.jpg" for a file of a picked folder; "" otherwise. */
  readonly webkitRelativePath: string;
}

/**
 * The window's line to the engine (a MessagePort main hands the preload): JSON messages of the
 * engine's protocol (src-engine/remote), both ways. Nothing on it carries file bytes.
 */
export interface EngineBridge {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

/**
 * What main pushes to the window (FERRY_EVENTS): subscribe, get an unsubscribe function. Nothing
 * is lost for want of a listener: the latest event that came before is delivered on subscribing.
 */
export interface FerryEvents {
  /**
   * The OS opened a `ferry://pair/<code>` link; `code` is validated and normalised
   * (`427-orbit-velvet`). A link can come from anyone: ask before pairing, never pair silently.
   */
  onPairingLink(listener: (code: string) => void): () => void;
}

/** window.ferry: the calls, the event subscriptions, the engine, and files as paths. */
export interface FerryApi extends FerryCalls, FerryEvents {
  engine: EngineBridge;
  /**
   * The paths of files and folders from a drop or a picker, granted to the engine to send (a
   * picked folder's files count as the folder). Files the page made itself have no path: refused.
   */
  grantFiles(files: readonly PickedFile[]): Promise<IpcResult<string[]>>;
}
