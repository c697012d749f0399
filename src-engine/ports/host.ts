import type { FileSink, FileSource, IncomingOffer, ManifestEntry, NameCard, ReceiverResume } from '../../src-core/index.js';
import type { DeviceInfo, FerrySettings, HistoryEntry, LanStatus, OutgoingRecord, RecentTransfer, SettingsUpdate } from '../contract/device.js';
import type { IceRefresh } from '../signaling/ice-keeper.js';

/*
 * What the engine asks of the program it runs in. In the desktop app these reach main (settings,
 * identity, the desktop) and the disk; in tests, whatever the test provides. Every port is
 * asynchronous: the engine never assumes its host is in the same process.
 */

/** Main's side of the device: settings, identity, TURN credentials, the desktop. */
export interface DevicePort {
  deviceInfo(): Promise<DeviceInfo>;
  /** The folder received files go to now. */
  downloadDir(): Promise<string>;
  /** A settings change: applied whole, or refused with a message per field. */
  updateSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<SettingsUpdate>;
  /** Signs a session-authentication transcript with this device's key (main keeps the key). */
  signSession(transcript: Uint8Array, role: 'initiator' | 'responder'): Promise<Uint8Array>;
  /** This device's name card: its name now, signed by main with the device's key (SPEC.md, "Name cards"). */
  nameCard(): Promise<NameCard>;
  /** STUN/TURN servers for the next connection, and when to ask again. */
  iceServers(): Promise<IceRefresh>;
  /** Where the built-in signaling runs now; null when a custom server is in use. */
  lanStatus(): Promise<LanStatus | null>;
  /** An OS notification (shown only while the window is not focused). */
  notify(title: string, body: string): Promise<unknown>;
  /** Taskbar progress of the active transfers, 0..1, or null for none. */
  setProgress(fraction: number | null): Promise<unknown>;
  /** The tray's last transfers, newest first. */
  setRecentTransfers(recent: RecentTransfer[]): Promise<unknown>;
  /** Keeps an outgoing transfer until it ends for good (absent: not kept across restarts). */
  keepOutgoing?(record: OutgoingRecord): Promise<unknown>;
  forgetOutgoing?(resumeKey: string): Promise<unknown>;
  /** Keeps the history of ended transfers (the whole list, newest first) for the next start. */
  keepHistory?(entries: HistoryEntry[]): Promise<unknown>;
}

/**
 * Answers `url` with its JSON body, or throws (an HTTP answer other than 2xx: an error with its
 * `status`); bounded by `timeoutMs`. With `body`: POSTs it as JSON.
 */
export type FetchJson = (url: string, timeoutMs: number, body?: unknown) => Promise<unknown>;

/** Who sent an offer, as its authenticated session says: a resumable download is kept for them only. */
export interface TransferOrigin {
  peerId: string;
  /** The sender's Ed25519 public key, base64. */
  publicKey: string;
  name: string;
}

/** An interrupted download found in the download folder (SPEC.md, "The receiver's journal"). */
export interface InterruptedDownload {
  origin: TransferOrigin;
  resumeKey: string;
  entries: ManifestEntry[];
  /** Bytes verified and kept (journaled blocks and finished files). */
  bytesHeld: number;
}

/** Files on this device: where received ones go, and whether they fit. */
export interface DownloadsPort {
  checkSpace(totalBytes: number): Promise<{ fits: boolean; availableBytes: number; downloadDir: string }>;
  /**
   * Prepares the download folder for an accepted offer; `saved` hears each verified file's path.
   * An offer with a resume key, with its origin, is journaled so it can resume.
   */
  openSink(offer: IncomingOffer, saved: (fileIndex: number, path: string) => void, origin?: TransferOrigin): Promise<FileSink>;
  /**
   * A resumed offer: the interrupted download it continues (same origin key, same resume key,
   * a manifest that matches), reopened, with what it holds checked against the disk; undefined
   * when there is none. `restarted` names files that changed at the source and start over.
   */
  resumeSink?(
    offer: IncomingOffer,
    saved: (fileIndex: number, path: string) => void,
    origin: TransferOrigin,
  ): Promise<{ sink: FileSink; resume: ReceiverResume; restarted: string[] } | undefined>;
  /** Interrupted downloads kept in the download folder (tidied first: those untouched for `keepDays` go; see the SPEC). */
  interrupted?(keepDays: number): Promise<InterruptedDownload[]>;
  /** Removes an interrupted download's staging and journal (files already in place stay). */
  discard?(peerId: string, resumeKey: string): Promise<void>;
}

/** Files to offer: the manifest and the bytes behind it (built by the host from a pick or a drop). */
export interface OutgoingFiles {
  entries: ManifestEntry[];
  source: FileSource;
  /** Called once the transfer has ended, however it ended (closes open files). */
  release?(): Promise<void>;
  /** The picked paths it was made from, when it can be made again after a restart. */
  paths?: string[];
}

/** Makes the files of remembered paths again (a restarted engine resuming what it was sending). */
export type OpenPaths = (paths: string[]) => Promise<OutgoingFiles>;
