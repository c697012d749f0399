/*
 * What the engine and its host share about the device: settings, identity, signaling. Types
 * only. Main keeps and validates them (src-main/settings/schema.ts must equal FerrySettings);
 * the preload's API re-exports them for the window.
 */

import type { DeviceKind } from '../../src-core/index.js';
import type { IceServerConfig } from '../ports/signaling.js';

export type { IceServerConfig };

export interface SignalingConfig {
  /** Base URL of the PeerJS server, e.g. http://127.0.0.1:9000/ */
  url: string;
  /** PeerJS API key. */
  key: string;
  iceServers: IceServerConfig[];
  /** True when main started the bundled server because none was configured. */
  embedded: boolean;
  /** The operator's access token for this server (sent as PeerJS's `token`), if it needs one. */
  token?: string;
  /** Connect through TURN relays only (hides this device's addresses from peers). */
  relayOnly: boolean;
  /** Set by FERRY_SIGNALING_URL: the settings' choice of server does not apply while it is. */
  fromEnvironment?: boolean;
}

export interface DeviceInfo {
  name: string;
  /** What this device runs Ferry as (told to others in hello: their tiles draw it). */
  kind: DeviceKind;
  appVersion: string;
  platform: string;
}

export type DeliveryModeSetting = 'automatic' | 'reliable-ordered' | 'reliable-unordered' | 'partial';

/** Settings, persisted by main (src-main/settings/schema.ts validates exactly this shape). */
export interface FerrySettings {
  version: 1;
  deviceName: string;
  /** Absolute path; null means the OS Downloads folder. */
  downloadDir: string | null;
  signaling: { kind: 'built-in' } | { kind: 'custom'; url: string; token?: string | undefined };
  iceServers: Array<{ urls: string[]; username?: string | undefined; credential?: string | undefined }>;
  relayOnly: boolean;
  transferMode: DeliveryModeSetting;
  /** Offers from trusted devices are accepted without asking. */
  autoAcceptTrusted: boolean;
  /** "Always accept from this device" (per peer id until pairing makes it cryptographic). */
  trustedDevices: Array<{ peerId: string; name: string; since: number; publicKey?: string | undefined; kind?: DeviceKind | undefined }>;
  theme: 'system' | 'light' | 'dark';
  /** Interrupted downloads untouched this many days are removed at start (absent: the default, 7). */
  keepInterruptedDays?: number | undefined;
  /** The first-run welcome was answered (absent: show it). */
  welcomed?: boolean | undefined;
}

/** How long interrupted downloads are kept by default (SPEC.md, "The receiver's journal"). */
export const DEFAULT_KEEP_INTERRUPTED_DAYS = 7;

/** The built-in signaling on the LAN: hosted by this app, or joined on another Ferry's. */
export type LanStatus = { kind: 'searching' } | { kind: 'hosting'; port: number } | { kind: 'joined'; host: string; port: number };

/** A line of the tray menu's "last transfers". */
export interface RecentTransfer {
  title: string;
  peerName: string;
  direction: 'in' | 'out';
  state: 'active' | 'interrupted' | 'done' | 'failed' | 'cancelled' | 'declined';
}

/** A transfer that ended, as the transfers view's history keeps it (newest first, across restarts). */
export interface HistoryEntry {
  /** `<peer id>/<transfer key>`: unique per device and transfer. */
  id: string;
  peerId: string;
  peerName: string;
  direction: 'in' | 'out';
  title: string;
  fileCount: number;
  totalBytes: number;
  state: 'done' | 'failed' | 'cancelled' | 'declined';
  /** Who ended it when it was cancelled or declined: here (a person at this device) or there. */
  endedBy: 'here' | 'there' | undefined;
  /** Why it did not finish, in words. */
  error: string | undefined;
  /** Where received files were saved (the first HISTORY_SAVED_PATHS). */
  savedPaths: string[];
  endedAt: number;
}

/** Transfers the history keeps; older ones drop off. */
export const HISTORY_MAX = 100;
/** Saved paths a history entry keeps ("Open", "Show in folder" need the first). */
export const HISTORY_SAVED_PATHS = 20;

/** What the window may know of this device's identity (never the private key). */
export interface PublicIdentity {
  publicKey: string;
  peerId: string;
  fingerprintWords: string[];
}

/** A settings change: applied whole, or refused with a message per field ("iceServers.0.urls.1"). */
export type SettingsUpdate = { ok: true; settings: FerrySettings } | { ok: false; fieldErrors: Record<string, string> };

/**
 * An outgoing transfer main keeps for the engine until it ends for good, so a restarted engine
 * offers it again (SPEC.md, "Resume"): the picked paths it was made from, and to whom.
 */
export interface OutgoingRecord {
  resumeKey: string;
  peerId: string;
  peerName: string;
  paths: string[];
  mode: 'reliable-ordered' | 'reliable-unordered' | 'partial';
  createdAt: number;
}
