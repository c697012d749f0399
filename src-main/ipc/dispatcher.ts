import type { z } from 'zod';
import type { NameCard } from '../../src-core/index.js';
import type { DeviceInfo, FerrySettings, IncomingEntry, IpcResult, LanStatus, PublicIdentity, RecentTransfer, SettingsUpdate, SignalingConfig } from '../preload/api.js';
import { FERRY_CHANNELS, type FerryMethod } from '../preload/channels.js';
import { IPC_ARGUMENTS } from './contract.js';
import type { IceRefresh } from '../signaling/ice-source.js';

/** What the handlers do, in plain Node: Electron never appears below this line. */
export interface MainServices {
  getSignalingConfig(): Promise<SignalingConfig>;
  getDeviceInfo(): DeviceInfo;
  getSettings(): FerrySettings;
  getIdentity(): PublicIdentity;
  signSession(transcript: string, role: 'initiator' | 'responder'): string;
  /** This device's name card, signed now (the engine's, for its LAN server's listing). */
  nameCard(): NameCard;
  /** The folder received files go to now (the setting, or the OS Downloads folder). */
  getDownloadDir(): string;
  /** Whether an offer of this size fits the download folder (checked before asking the user). */
  checkSpace(totalBytes: number): Promise<{ fits: boolean; availableBytes: number; downloadDir: string }>;
  readClipboard(): Promise<string>;
  writeClipboard(text: string): null;
  updateSettings(patch: Record<string, unknown>): Promise<SettingsUpdate>;
  chooseDownloadDir(): Promise<SettingsUpdate | null>;
  showInFolder(path: string): null;
  /** Opens a file Ferry saved with its default app (programs are refused: see services). */
  openSavedFile(path: string): Promise<null>;
  /** Main's folder picker; the folder picked is granted to the engine as it is (empty subfolders too). */
  pickFolderToSend(): Promise<string[] | null>;
  /** Quits and starts Ferry again (a person asked, from Settings). */
  restartApp(): null;
  /** Shows an OS notification unless the window has focus; says whether it did. */
  notify(title: string, body: string): boolean;
  setProgress(fraction: number | null): null;
  setRecentTransfers(recent: RecentTransfer[]): null;
  getLanStatus(): LanStatus | null;
  getIceServers(): Promise<IceRefresh>;
  receiveStart(entries: IncomingEntry[], totalBytes: number): Promise<{ sinkId: string }>;
  receiveWrite(sinkId: string, fileIndex: number, offset: number, bytes: Uint8Array): Promise<null>;
  receiveFinalize(sinkId: string, fileIndex: number): Promise<{ path: string }>;
  receiveAbort(sinkId: string): Promise<null>;
  /** The window listens for pairing links from now on; the code of one that came before, or null. */
  listenPairingLinks(): string | null;
  /** Files and folders a person picked or dropped: the engine may send these (and nothing else). */
  grantPaths(paths: string[]): Promise<string[]>;
}

export interface IpcCaller {
  /** URL of the frame that sent the message. */
  frameUrl: string | undefined;
  /** Whether that frame is the window's top frame (never an iframe). */
  isMainFrame: boolean;
}

type Args<M extends FerryMethod> = z.infer<(typeof IPC_ARGUMENTS)[M]>;
type Handlers = { [M in FerryMethod]: (...args: Args<M>) => unknown };

export type IpcDispatcher = (method: string, caller: IpcCaller, args: readonly unknown[]) => Promise<IpcResult<unknown>>;

/**
 * One entry point for every IPC call, whatever the transport (Electron IPC in the app, a
 * Playwright binding in tests): checks the sender, validates the arguments, runs the handler,
 * and turns every failure into an error result instead of a throw.
 */
export function createIpcDispatcher(
  services: MainServices,
  isTrustedSender: (caller: IpcCaller) => boolean,
  onError: (method: string, error: unknown) => void = () => {},
): IpcDispatcher {
  const handlers: Handlers = {
    getSignalingConfig: () => services.getSignalingConfig(),
    getDeviceInfo: () => services.getDeviceInfo(),
    readClipboard: () => services.readClipboard(),
    writeClipboard: (text) => services.writeClipboard(text),
    chooseDownloadDir: () => services.chooseDownloadDir(),
    restartApp: () => services.restartApp(),
    showInFolder: (path) => services.showInFolder(path),
    openSavedFile: (path) => services.openSavedFile(path),
    pickFolderToSend: () => services.pickFolderToSend(),
    receiveStart: (entries, totalBytes) => services.receiveStart(entries, totalBytes),
    receiveWrite: (sinkId, fileIndex, offset, bytes) => services.receiveWrite(sinkId, fileIndex, offset, bytes),
    receiveFinalize: (sinkId, fileIndex) => services.receiveFinalize(sinkId, fileIndex),
    receiveAbort: (sinkId) => services.receiveAbort(sinkId),
    listenPairingLinks: () => services.listenPairingLinks(),
    grantPaths: (paths) => services.grantPaths(paths),
  };
  return async (method, caller, args) => {
    if (!isFerryMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 64)}".` } };
    }
    if (!isTrustedSender(caller)) {
      return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: `"${method}" may only be called by Ferry's own window.` } };
    }
    const parsed = IPC_ARGUMENTS[method].safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: `${method}: ${issue?.message ?? 'invalid arguments'}` },
      };
    }
    try {
      const handler = handlers[method] as (...a: unknown[]) => unknown;
      return { ok: true, value: await handler(...(parsed.data as unknown[])) };
    } catch (error) {
      onError(method, error);
      return { ok: false, error: { code: 'FAILED', message: `${method} failed: ${(error as Error)?.message ?? String(error)}` } };
    }
  };
}

function isFerryMethod(method: string): method is FerryMethod {
  return Object.hasOwn(FERRY_CHANNELS, method);
}
