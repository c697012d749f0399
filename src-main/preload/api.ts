/*
 * The renderer's view of main: types only, no imports, no code. The renderer imports this file
 * (type-only); the preload implements it; main's IPC handlers serve it.
 */

export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SignalingConfig {
  /** Base URL of the PeerJS server, e.g. http://127.0.0.1:9000/ */
  url: string;
  /** PeerJS API key. */
  key: string;
  iceServers: IceServerConfig[];
  /** True when main started the bundled server because none was configured. */
  embedded: boolean;
}

export interface DeviceInfo {
  name: string;
  appVersion: string;
  platform: string;
}

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

/** window.ferry: one function per message, nothing generic. */
export interface FerryApi {
  getSignalingConfig(): Promise<IpcResult<SignalingConfig>>;
  getDeviceInfo(): Promise<IpcResult<DeviceInfo>>;
  setDeviceName(name: string): Promise<IpcResult<DeviceInfo>>;
  /** Prepares the download folder for an accepted offer (free space, unique names, staging). */
  receiveStart(entries: IncomingEntry[], totalBytes: number): Promise<IpcResult<{ sinkId: string }>>;
  /** Writes one received chunk; answering means it is written. */
  receiveWrite(sinkId: string, fileIndex: number, offset: number, bytes: Uint8Array): Promise<IpcResult<null>>;
  /** Moves a verified file to its final name. */
  receiveFinalize(sinkId: string, fileIndex: number): Promise<IpcResult<{ path: string }>>;
  /** Removes everything partial of a failed or cancelled transfer. */
  receiveAbort(sinkId: string): Promise<IpcResult<null>>;
}
