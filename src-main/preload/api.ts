/*
 * The renderer's view of main: types only, no code. The renderer imports this file (type-only);
 * the preload implements it; main's IPC handlers serve it. The device's shapes come from the
 * engine's contract (type-only: nothing of the engine is bundled into the preload).
 */
import type {
  DeviceInfo,
  FerrySettings,
  IceServerConfig,
  LanStatus,
  PublicIdentity,
  RecentTransfer,
  SettingsUpdate,
  SignalingConfig,
} from '../../src-engine/contract/device';

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
  setDeviceName(name: string): Promise<IpcResult<DeviceInfo>>;
  getSettings(): Promise<IpcResult<FerrySettings>>;
  /** The folder received files go to now. */
  getDownloadDir(): Promise<IpcResult<string>>;
  /** Whether an offer of this many bytes fits the download folder, keeping room for the system. */
  checkSpace(totalBytes: number): Promise<IpcResult<{ fits: boolean; availableBytes: number; downloadDir: string }>>;
  /** The clipboard's text, through main (the window itself may not read the clipboard). */
  readClipboard(): Promise<IpcResult<string>>;
  writeClipboard(text: string): Promise<IpcResult<null>>;
  /** Changes some settings: all of them, or none with a message per field. */
  updateSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<IpcResult<SettingsUpdate>>;
  /** This device's identity as others see it: public key, the peer id derived from it, fingerprint words. */
  getIdentity(): Promise<IpcResult<PublicIdentity>>;
  /** Main signs a session-authentication transcript (base64) with the device key, for `role`. */
  signSession(transcript: string, role: 'initiator' | 'responder'): Promise<IpcResult<string>>;
  /** Opens the OS folder picker and saves the choice; null when cancelled. */
  chooseDownloadDir(): Promise<IpcResult<SettingsUpdate | null>>;
  /** Reveals a file Ferry saved in the file manager. */
  showInFolder(path: string): Promise<IpcResult<null>>;
  /** An OS notification, shown only while the window is not focused; true when shown. */
  notify(title: string, body: string): Promise<IpcResult<boolean>>;
  /** Taskbar/dock progress of the active transfers, 0..1, or null for none. */
  setProgress(fraction: number | null): Promise<IpcResult<null>>;
  /** Where the built-in signaling runs now; null when a custom server is in use. */
  getLanStatus(): Promise<IpcResult<LanStatus | null>>;
  /**
   * STUN/TURN servers to use for the next connection: the settings' own, then the signaling
   * server's (TURN credentials fresh), and when to ask again (null: they do not expire).
   */
  getIceServers(): Promise<IpcResult<{ iceServers: IceServerConfig[]; refreshAt: number | null }>>;
  /** The last transfers, newest first, for the tray menu. */
  setRecentTransfers(recent: RecentTransfer[]): Promise<IpcResult<null>>;
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

/** window.ferry: the calls and the event subscriptions. */
export interface FerryApi extends FerryCalls, FerryEvents {}
