import { ed25519 } from '@noble/curves/ed25519';
import { encodeBase64, keyFingerprintWords, type NameCard, nameCardSigningInput, peerIdFromPublicKey, sessionSigningInput } from '../../src-core/index.js';
import type { DeviceInfo, FerrySettings, HistoryEntry, OutgoingRecord, PublicIdentity, RecentTransfer, SettingsUpdate, SignalingConfig } from '../contract/device.js';
import type { EngineStart } from '../engine.js';
import type { DevicePort } from '../ports/host.js';
import type { IceRefresh } from '../signaling/ice-keeper.js';

/** Settings as main makes them for a new device (src-main/settings/schema.ts, defaultSettings). */
export function memorySettings(deviceName: string): FerrySettings {
  return {
    version: 1,
    deviceName,
    downloadDir: null,
    signaling: { kind: 'built-in' },
    iceServers: [],
    relayOnly: false,
    transferMode: 'automatic',
    autoAcceptTrusted: true,
    trustedDevices: [],
    theme: 'system',
  };
}

/**
 * Main's side of a device in memory, for the engine's tests: the settings (kept, not persisted),
 * an Ed25519 identity key that signs session transcripts as main's identity store does, and the
 * desktop's calls recorded. `claimPeerId` makes a squatter: a device that registers under an id
 * its key does not derive.
 */
export class MemoryMain implements DevicePort {
  settings: FerrySettings;
  readonly identity: PublicIdentity;
  /** What the desktop was asked to show (notifications) and the files main was told were saved. */
  readonly notifications: Array<{ title: string; body: string }> = [];
  readonly savedFiles: string[] = [];
  progress: number | null = null;
  recent: RecentTransfer[] = [];
  private readonly secretKey: Uint8Array;

  constructor(
    private readonly options: { deviceName: string; downloadDir: string; claimPeerId?: string },
  ) {
    this.settings = memorySettings(options.deviceName);
    this.secretKey = ed25519.utils.randomPrivateKey();
    const publicKey = ed25519.getPublicKey(this.secretKey);
    this.identity = {
      publicKey: encodeBase64(publicKey),
      peerId: options.claimPeerId ?? peerIdFromPublicKey(publicKey),
      fingerprintWords: keyFingerprintWords(publicKey),
    };
  }

  /** What main sends the engine to start it. */
  start(signaling: SignalingConfig): EngineStart {
    return { device: this.device(), signaling, settings: this.settings, downloadDir: this.options.downloadDir, identity: this.identity };
  }

  async deviceInfo(): Promise<DeviceInfo> {
    return this.device();
  }

  async downloadDir(): Promise<string> {
    return this.settings.downloadDir ?? this.options.downloadDir;
  }

  async updateSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<SettingsUpdate> {
    if (patch.deviceName !== undefined && (patch.deviceName.trim() === '' || patch.deviceName.length > 64)) {
      return { ok: false, fieldErrors: { deviceName: 'A device name has 1 to 64 characters.' } };
    }
    this.settings = { ...this.settings, ...patch };
    return { ok: true, settings: this.settings };
  }

  async signSession(transcript: Uint8Array, role: 'initiator' | 'responder'): Promise<Uint8Array> {
    return ed25519.sign(sessionSigningInput(transcript, role), this.secretKey);
  }

  async nameCard(): Promise<NameCard> {
    const issuedAt = Date.now();
    // Signed for the id it uses: a claimed id (an impersonator's) makes a card no one believes.
    const signature = ed25519.sign(nameCardSigningInput(this.identity.peerId, this.settings.deviceName, issuedAt), this.secretKey);
    return { name: this.settings.deviceName, publicKey: this.identity.publicKey, issuedAt, signature: encodeBase64(signature) };
  }

  async iceServers(): Promise<IceRefresh> {
    return { iceServers: [], refreshAt: null };
  }

  async lanStatus(): Promise<null> {
    return null;
  }

  async notify(title: string, body: string): Promise<null> {
    this.notifications.push({ title, body });
    return null;
  }

  async setProgress(fraction: number | null): Promise<null> {
    this.progress = fraction;
    return null;
  }

  async setRecentTransfers(recent: RecentTransfer[]): Promise<null> {
    this.recent = recent;
    return null;
  }

  async fileSaved(path: string): Promise<null> {
    this.savedFiles.push(path);
    return null;
  }

  /** Outgoing transfers kept for a restart, by resume key (kept in memory: this main never restarts). */
  readonly outgoing = new Map<string, OutgoingRecord>();

  async keepOutgoing(record: OutgoingRecord): Promise<null> {
    this.outgoing.set(record.resumeKey, record);
    return null;
  }

  async forgetOutgoing(resumeKey: string): Promise<null> {
    this.outgoing.delete(resumeKey);
    return null;
  }

  /** The history as the engine last gave it. */
  history: HistoryEntry[] = [];

  async keepHistory(entries: HistoryEntry[]): Promise<null> {
    this.history = entries;
    return null;
  }

  private device(): DeviceInfo {
    return { name: this.settings.deviceName, kind: 'desktop', appVersion: '0.0.0-test', platform: 'memory' };
  }
}
