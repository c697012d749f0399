import {
  decodeBase64,
  DEFAULT_MODE,
  type DeliveryMode,
  type HasherFactory,
  type IncomingDecision,
  type IncomingOffer,
  keyFingerprintWords,
  parsePeerId,
  type ReceiverEvent,
  type Runtime,
  type SenderEvent,
  type TransferHandle,
} from '../src-core/index.js';
import type { DeviceInfo, FerrySettings, LanStatus, PublicIdentity, SignalingConfig } from './contract/device.js';
import type { DevicePort, DownloadsPort, FetchJson, OutgoingFiles } from './ports/host.js';
import type { CreateSignalingPeer, DataConnectionPort } from './ports/signaling.js';
import { formatBytes } from './state/format-bytes.js';
import { SignalingClient, type SignalingState } from './signaling/signaling-client.js';
import { IceKeeper } from './signaling/ice-keeper.js';
import { type LinkState, PeerLink } from './link/peer-link.js';
import { type StripeMetadata, stripeOf } from './link/stripes.js';
import type { PairingStatus } from './pairing/pairing-link.js';
import { type ChatLine, type Conversation, describe, newRow, type TransferRow, type TransferState } from './state/conversation.js';
import { LanFollower } from './signaling/lan-follower.js';
import { PairingController } from './pairing/pairing-controller.js';
import { type Presence, PresenceTracker } from './presence/presence.js';
import { pairedDevices, renamed, without } from './state/trusted-devices.js';

export type { ChatLine, Conversation, TransferFile, TransferRow, TransferState } from './state/conversation.js';

/**
 * Transfer ids are numbered per link (SPEC.md): two devices both have a transfer 1. Everything
 * kept per transfer is keyed by the device and the row's key together.
 */
function handleKey(peerId: string, key: string): string {
  return `${peerId}/${key}`;
}

/** Progress repaints at most this often: a chunk every few milliseconds would swamp React. */
const PROGRESS_INTERVAL_MS = 100;

export interface EngineSnapshot {
  device: DeviceInfo | undefined;
  /** Where the built-in signaling runs (hosted here, or on another Ferry); undefined for a custom server. */
  lanStatus: LanStatus | undefined;
  /** Other Ferry devices on the same LAN server (their ids), not counting this one. */
  nearby: string[];
  /** Pairing by code, while it runs and its last outcome. */
  pairing: PairingStatus | undefined;
  /** Paired devices' presence, by peer id. */
  presence: Readonly<Record<string, Presence>>;
  /** This device's key as words, for comparing with what a paired device shows. */
  ownKeyWords: string[] | undefined;
  settings: FerrySettings | undefined;
  /** Where received files go now. */
  downloadDir: string | undefined;
  signaling: SignalingState | undefined;
  signalingConfig: SignalingConfig | undefined;
  conversations: Conversation[];
  fatalError: string | undefined;
}

/** What the engine runs on: the core's runtime, and the ports its host provides. */
export interface EnginePorts {
  runtime: Runtime;
  createHasher: HasherFactory;
  /** PeerJS on this host's WebRTC. */
  createPeer: CreateSignalingPeer;
  device: DevicePort;
  downloads: DownloadsPort;
  fetchJson: FetchJson;
  /** PeerJS's own logging, for diagnosing connection trouble. */
  peerJsDebug?: 0 | 1 | 2 | 3;
}

/** What the engine starts from: this device as main knows it. */
export interface EngineStart {
  device: DeviceInfo;
  signaling: SignalingConfig;
  settings: FerrySettings;
  downloadDir: string;
  identity: PublicIdentity;
}

/**
 * Everything a Ferry device does on the network: signaling, links, sessions, pairing, presence,
 * transfers. Commands in (its methods), state out (a snapshot, and a call to each subscriber
 * when it changes); a view renders the snapshot and sends commands.
 */
export class Engine {
  private snapshot: EngineSnapshot = {
    device: undefined,
    lanStatus: undefined,
    nearby: [],
    pairing: undefined,
    presence: {},
    ownKeyWords: undefined,
    settings: undefined,
    downloadDir: undefined,
    signaling: undefined,
    signalingConfig: undefined,
    conversations: [],
    fatalError: undefined,
  };
  private readonly listeners = new Set<() => void>();
  private readonly links = new Map<string, PeerLink>();
  /** Each link's last state (a background link has no conversation to hold it). */
  private readonly linkStates = new Map<string, LinkState>();
  private readonly presence: PresenceTracker;
  private readonly transferHandles = new Map<string, { cancel(): void; decision?: IncomingDecision; offer?: IncomingOffer }>();
  private readonly lastPaint = new Map<string, { at: number; bytes: number }>();
  private lastProgressReported: number | null = null;
  private lan: LanFollower | undefined;
  private identity: PublicIdentity | undefined;
  private readonly pairing: PairingController;
  /** Transfers in the order they began, for the tray's "last transfers". */
  private readonly recentKeys: Array<{ peerId: string; key: string }> = [];
  private client: SignalingClient | undefined;
  private ice: IceKeeper | undefined;
  /** Dials waiting for fresh TURN credentials (at most one per device). */
  private readonly pendingDials = new Map<string, { background: boolean }>();
  /** Trusted-device changes, one after another, each on the latest settings (no lost updates). */
  private trustChanges: Promise<unknown> = Promise.resolve();

  private readonly runtime: Runtime;

  constructor(private readonly ports: EnginePorts) {
    const { runtime } = ports;
    this.runtime = runtime;
    this.pairing = new PairingController({
      runtime,
      client: () => this.client,
      identity: () => this.identity,
      deviceName: () => this.snapshot.device?.name ?? 'Ferry device',
      trustedDevices: () => this.snapshot.settings?.trustedDevices ?? [],
      changeTrusted: (change) => this.changeTrusted(change),
      sign: (transcript, role) => ports.device.signSession(transcript, role),
      status: (pairing) => this.update({ pairing }),
      paired: (peerId) => this.presence.checkNow(peerId),
    });
    this.presence = new PresenceTracker({
      runtime,
      dial: (peerId) => this.dial(peerId, { background: true }),
      changed: (presence) => this.update({ presence: Object.fromEntries(presence) }),
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): EngineSnapshot => this.snapshot;

  start({ device, signaling: config, settings, downloadDir, identity }: EngineStart): void {
    this.identity = identity;
    this.update({ device, signalingConfig: config, settings, downloadDir, ownKeyWords: keyFingerprintWords(decodeBase64(identity.publicKey)) });
    this.syncPaired();
    this.client = new SignalingClient(
      config,
      { runtime: this.runtime, createPeer: this.ports.createPeer, debug: this.ports.peerJsDebug ?? 0 },
      {
        state: (signaling) => {
          this.update({ signaling });
          this.presence.signaling(signaling.kind === 'connected');
        },
        incoming: (connection) => this.attachIncoming(connection),
        peerUnavailable: (peerId) => {
          this.links.get(peerId)?.unavailable();
          this.pairing.peerUnavailable(peerId);
        },
      },
      // Derived from this device's identity key (main keeps it): the same id every start, so
      // trusted devices find this one again, and nobody else can be it.
      identity.peerId,
    );
    this.client.start();
    const client = this.client;
    this.ice = new IceKeeper(this.runtime, () => this.ports.device.iceServers(), (servers) => client.setIceServers(servers));
    this.ice.start();
    if (config.embedded) {
      this.lan = new LanFollower(this.runtime, config.url, { lanStatus: () => this.ports.device.lanStatus(), fetchJson: this.ports.fetchJson }, {
        status: (lanStatus) => {
          if (JSON.stringify(lanStatus) !== JSON.stringify(this.snapshot.lanStatus)) this.update({ lanStatus });
        },
        nearby: (ids) => {
          const self = this.snapshot.signaling?.peerId;
          const nearby = ids.filter((id) => id !== self).sort();
          if (nearby.join() !== this.snapshot.nearby.join()) this.update({ nearby });
          this.presence.nearby(nearby);
        },
      });
      this.lan.start();
    }
  }



  fail(message: string): void {
    this.update({ fatalError: message });
  }

  setDevice(device: DeviceInfo): void {
    this.update({ device });
  }

  retrySignalingNow(): void {
    this.client?.retryNow();
  }

  /** Throws a FerryError with words for the user when the id is malformed. */
  connectTo(rawPeerId: string): void {
    const peerId = parsePeerId(rawPeerId);
    if (peerId === this.snapshot.signaling?.peerId) throw new Error('That is this device’s own id.');
    this.dial(peerId, { background: false });
  }

  /**
   * Opens a link unless one is open or opening. A background link (presence) shows no
   * conversation until it opens; asking for it in the foreground shows the one under way.
   */
  private dial(peerId: string, { background }: { background: boolean }): void {
    const client = this.client;
    if (!client) throw new Error('Ferry is still starting.');
    const pending = this.pendingDials.get(peerId);
    if (pending) {
      // The person asking wins over presence asking: it shows a conversation.
      if (!background) pending.background = false;
      return;
    }
    // TURN credentials expire: a dial waits for fresh ones when the refresh timer has not run.
    const fresh = this.ice?.whenFresh();
    if (fresh) {
      const request = { background };
      this.pendingDials.set(peerId, request);
      void fresh.finally(() => {
        this.pendingDials.delete(peerId);
        try {
          this.dial(peerId, request);
        } catch (error) {
          if (request.background) this.presence.linkEnded(peerId);
          else this.showDialFailure(peerId, (error as Error).message);
        }
      });
      return;
    }
    const state = this.links.has(peerId) ? this.linkStates.get(peerId) : undefined;
    if (state === 'open' || state === 'connecting') {
      if (!background && !this.conversation(peerId)) this.addConversation(peerId, state);
      this.reportPresence(peerId, state, {});
      return;
    }
    this.attach(peerId, client.connect(peerId), (metadata) => client.connect(peerId, metadata), background);
  }

  private showDialFailure(peerId: string, message: string): void {
    if (!this.conversation(peerId)) this.addConversation(peerId, 'failed');
    this.patchConversation(peerId, (c) => ({ ...c, state: 'failed', error: message }));
  }

  /** Paired devices' presence: dial the ones not connected ("Try now"). */
  checkPresenceNow(peerId: string): void {
    this.presence.checkNow(peerId);
  }

  /** Forget a paired device's key here; its next attempt is refused, and it is told why. */
  async unpairDevice(peerId: string): Promise<Record<string, string> | undefined> {
    this.pairing.forget(peerId);
    const errors = await this.changeTrusted((devices) => without(devices, peerId));
    // The session open now was trusted under the pairing: it ends with it.
    if (!errors) this.links.get(peerId)?.close();
    return errors;
  }

  /**
   * Changes the trusted devices: one change at a time, each computed from the settings as they
   * are when it runs, so two quick changes never undo each other.
   */
  private changeTrusted(change: (devices: FerrySettings['trustedDevices']) => FerrySettings['trustedDevices'] | undefined): Promise<Record<string, string> | undefined> {
    const run = this.trustChanges.then(async () => {
      const devices = this.snapshot.settings?.trustedDevices;
      const next = devices ? change(devices) : undefined;
      return next ? this.saveSettings({ trustedDevices: next }) : undefined;
    });
    this.trustChanges = run.catch(() => {});
    return run;
  }

  /** Our name for a paired device. Throws a FerryError in words for a name that cannot be kept. */
  async renameDevice(peerId: string, name: string): Promise<Record<string, string> | undefined> {
    const devices = this.snapshot.settings?.trustedDevices;
    if (!devices) return undefined;
    // Checked now, so a bad name is refused in words at once.
    renamed(devices, peerId, name);
    const errors = await this.changeTrusted((devices) => renamed(devices, peerId, name));
    if (!errors) this.patchConversation(peerId, (c) => ({ ...c, peerName: this.trustedName(peerId) ?? c.peerName }));
    return errors;
  }

  private trustedName(peerId: string): string | undefined {
    return this.snapshot.settings?.trustedDevices.find((d) => d.peerId === peerId)?.name;
  }

  /** Presence follows the paired devices in the settings. */
  private syncPaired(): void {
    this.presence.setPaired(pairedDevices(this.snapshot.settings?.trustedDevices ?? []).map((d) => d.peerId));
  }

  /**
   * Changes settings in main; answers the message per field when main refuses, else nothing.
   * The device name and the download folder are re-read so the window shows what main uses.
   */
  async saveSettings(patch: Partial<Omit<FerrySettings, 'version'>>): Promise<Record<string, string> | undefined> {
    const result = await this.ports.device.updateSettings(patch);
    if (!result.ok) return result.fieldErrors;
    await this.settingsChanged(result.settings);
    return undefined;
  }

  /** "Always accept from this device" (per peer id until pairing makes trust cryptographic). */
  async trustDevice(peerId: string): Promise<void> {
    const name = this.conversation(peerId)?.peerName ?? peerId;
    await this.changeTrusted((devices) =>
      devices.some((d) => d.peerId === peerId) ? undefined : [...devices, { peerId, name: name.slice(0, 64), since: this.runtime.now() }],
    );
  }

  async forgetDevice(peerId: string): Promise<void> {
    this.pairing.forget(peerId);
    await this.changeTrusted((devices) => without(devices, peerId));
  }

  isTrusted(peerId: string): boolean {
    return this.snapshot.settings?.trustedDevices.some((d) => d.peerId === peerId) ?? false;
  }

  /** Main's settings changed (here, or in main: a folder picked there). */
  async settingsChanged(settings: FerrySettings): Promise<void> {
    const [device, downloadDir] = await Promise.all([this.ports.device.deviceInfo(), this.ports.device.downloadDir()]);
    this.update({ settings, device, downloadDir });
    this.syncPaired();
  }

  /** Offers files (picked or dropped: files and folders, empty folders included) to a connected device. */
  sendFiles(peerId: string, { entries, source }: OutgoingFiles): void {
    if (entries.length === 0) return;
    const transfers = this.links.get(peerId)?.transfers;
    if (!transfers) throw new Error('There is no open connection to that device.');
    const setting = this.snapshot.settings?.transferMode ?? 'automatic';
    const mode: DeliveryMode = setting === 'automatic' ? DEFAULT_MODE : setting;
    const handle = transfers.send({ entries, source, mode });
    const key = `out-${handle.transferId}`;
    const { title, fileCount } = describe(entries);
    const totalBytes = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
    this.transferHandles.set(handleKey(peerId, key), { cancel: () => handle.cancel() });
    this.addTransfer(peerId, { ...newRow(key, 'out', entries, title, fileCount, totalBytes), state: 'waiting' });
    this.follow(peerId, key, handle);
  }

  acceptTransfer(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    const entry = this.transferHandles.get(handleKey(peerId, key));
    if (!entry?.decision || !entry.offer) return;
    const { decision, offer } = entry;
    entry.decision = undefined;
    if (options.alwaysAccept) void this.trustDevice(peerId);
    this.patchTransfer(peerId, key, { state: 'active' });
    this.ports.downloads.openSink(offer, (_fileIndex, path) => this.patchTransfer(peerId, key, { savedPaths: [...(this.transferRow(peerId, key)?.savedPaths ?? []), path] })).then(
      (sink) => decision.accept(sink),
      (error: Error) => {
        decision.decline('SINK_FAILED', error.message);
        this.patchTransfer(peerId, key, { state: 'failed', error: error.message });
      },
    );
  }

  declineTransfer(peerId: string, key: string): void {
    const entry = this.transferHandles.get(handleKey(peerId, key));
    if (!entry?.decision) return;
    entry.decision.decline('USER_DECLINED', 'The other person declined.');
    entry.decision = undefined;
    this.patchTransfer(peerId, key, { state: 'declined' });
  }

  cancelTransfer(peerId: string, key: string): void {
    this.transferHandles.get(handleKey(peerId, key))?.cancel();
  }

  private incoming(peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>): void {
    const key = `in-${handle.transferId}`;
    const { title, fileCount } = describe(offer.entries);
    this.transferHandles.set(handleKey(peerId, key), { cancel: () => handle.cancel(), decision, offer });
    this.addTransfer(peerId, { ...newRow(key, 'in', offer.entries, title, fileCount, offer.totalBytes), state: 'offered' });
    this.follow(peerId, key, handle);
    // Space is checked before anyone is asked: an offer that cannot fit is never accepted.
    this.ports.downloads.checkSpace(offer.totalBytes).then(
      ({ fits, availableBytes, downloadDir }) => {
        if (!fits) {
          this.patchTransfer(peerId, key, {
            spaceProblem: `Not enough free space in ${downloadDir}: these files need ${formatBytes(offer.totalBytes)} and ${formatBytes(availableBytes)} is available. Free some space or choose another download folder in Settings.`,
          });
          return;
        }
        if (this.snapshot.settings?.autoAcceptTrusted && this.isTrusted(peerId)) this.acceptTransfer(peerId, key);
      },
      (error: Error) => this.patchTransfer(peerId, key, { spaceProblem: `Could not check the download folder: ${error.message}` }),
    );
  }

  private follow(peerId: string, key: string, handle: TransferHandle<SenderEvent> | TransferHandle<ReceiverEvent>): void {
    (handle.onEvent as (listener: (event: SenderEvent | ReceiverEvent) => void) => void)((event) => {
      switch (event.type) {
        case 'accepted':
          this.patchTransfer(peerId, key, { state: 'active' });
          return;
        case 'progress': {
          const done = 'bytesSent' in event ? event.bytesSent : event.bytesReceived;
          const now = this.runtime.now();
          const last = this.lastPaint.get(handleKey(peerId, key));
          if (done < event.totalBytes && last && now - last.at < PROGRESS_INTERVAL_MS) return;
          this.lastPaint.set(handleKey(peerId, key), { at: now, bytes: done });
          const previous = this.transferRow(peerId, key)?.bytesPerSecond ?? 0;
          const instant = last && now > last.at ? ((done - last.bytes) * 1000) / (now - last.at) : previous;
          // Smoothed so the speed and time left do not jump with every repaint.
          const bytesPerSecond = previous === 0 ? instant : previous * 0.8 + instant * 0.2;
          this.patchTransfer(peerId, key, { bytesDone: done, bytesPerSecond });
          this.reportTaskbarProgress();
          return;
        }
        case 'file-done':
        case 'file-verified': {
          const { fileIndex } = event;
          const row = this.transferRow(peerId, key);
          if (row?.files.some((f) => f.index === fileIndex)) {
            this.patchTransfer(peerId, key, { files: row.files.map((f) => (f.index === fileIndex ? { ...f, done: true } : f)) });
          }
          return;
        }
        default:
          return;
      }
    });
    handle.done
      .then(
        () => {
          this.patchTransfer(peerId, key, { state: 'done', bytesDone: this.transferRow(peerId, key)?.totalBytes ?? 0 });
          this.notifyOutcome(peerId, key);
        },
        (error: { code?: string; message?: string; cause?: { code?: string } }) => {
          const state: TransferState =
            error.code === 'TRANSFER_DECLINED' ? 'declined' : error.code === 'TRANSFER_CANCELLED' ? 'cancelled' : 'failed';
          const current = this.transferRow(peerId, key)?.state;
          // A person saying no needs no explanation; a device refusing (no space, bad names) does.
          const plainNo = state === 'declined' && (current === 'declined' || error.cause?.code === 'USER_DECLINED');
          this.patchTransfer(peerId, key, { state: current === 'declined' ? 'declined' : state, error: plainNo ? undefined : error.message });
          this.notifyOutcome(peerId, key);
        },
      )
      .finally(() => {
        this.transferHandles.delete(handleKey(peerId, key));
        this.lastPaint.delete(handleKey(peerId, key));
        this.reportTaskbarProgress();
      });
  }

  /** An OS notification when a transfer ends; main shows it only while the window is unfocused. */
  private notifyOutcome(peerId: string, key: string): void {
    const row = this.transferRow(peerId, key);
    if (!row) return;
    const name = this.conversation(peerId)?.peerName ?? peerId;
    const direction = row.direction === 'in' ? `from ${name}` : `to ${name}`;
    let title: string;
    switch (row.state) {
      case 'done':
        title = row.direction === 'in' ? `Received ${row.title}` : `Sent ${row.title}`;
        break;
      case 'failed':
        title = `${row.title} ${direction} failed`;
        break;
      case 'declined':
      case 'cancelled':
        title = `${row.title} ${direction} was ${row.state}`;
        break;
      case 'offered':
      case 'waiting':
      case 'active':
        return;
      default: {
        const unreachable: never = row.state;
        return unreachable;
      }
    }
    const body = row.state === 'done' ? `${row.fileCount} ${row.fileCount === 1 ? 'file' : 'files'} ${direction}, verified.` : (row.error ?? '');
    void this.ports.device.notify(title.slice(0, 200), body.slice(0, 1000)).catch(() => {});
  }

  /** The taskbar/dock shows the combined progress of every active transfer. */
  private reportTaskbarProgress(): void {
    let done = 0;
    let total = 0;
    for (const conversation of this.snapshot.conversations) {
      for (const t of conversation.transfers) {
        if (t.state !== 'active') continue;
        done += t.bytesDone;
        total += t.totalBytes;
      }
    }
    const fraction = total > 0 ? Math.min(1, Math.round((done / total) * 100) / 100) : null;
    if (fraction === this.lastProgressReported) return;
    this.lastProgressReported = fraction;
    void this.ports.device.setProgress(fraction).catch(() => {});
  }

  private transferRow(peerId: string, key: string): TransferRow | undefined {
    return this.conversation(peerId)?.transfers.find((t) => t.key === key);
  }

  private addTransfer(peerId: string, row: TransferRow): void {
    // Bounded like the chat: old finished transfers drop off the list.
    this.patchConversation(peerId, (c) => ({ ...c, transfers: [...c.transfers, row].slice(-50) }));
    this.recentKeys.push({ peerId, key: row.key });
    if (this.recentKeys.length > 5) this.recentKeys.shift();
    this.reportRecent();
  }

  private patchTransfer(peerId: string, key: string, patch: Partial<TransferRow>): void {
    this.patchConversation(peerId, (c) => ({
      ...c,
      transfers: c.transfers.map((t) => (t.key === key ? { ...t, ...patch } : t)),
    }));
    if (patch.state !== undefined) this.reportRecent();
  }

  /** The tray menu's last transfers, newest first. */
  private reportRecent(): void {
    const recent = this.recentKeys
      .map(({ peerId, key }) => ({ row: this.transferRow(peerId, key), peerName: this.conversation(peerId)?.peerName ?? peerId }))
      .filter((r): r is { row: TransferRow; peerName: string } => r.row !== undefined)
      .reverse()
      .map(({ row, peerName }) => ({
        title: row.title.slice(0, 300),
        peerName: peerName.slice(0, 100),
        direction: row.direction,
        state: row.state === 'offered' || row.state === 'waiting' ? ('active' as const) : row.state,
      }));
    void this.ports.device.setRecentTransfers(recent).catch(() => {});
  }

  /** "Pair a device": show a one-time code and wait for the other device to enter it. */
  showPairingCode(): void {
    this.pairing.showCode();
  }

  /** Enter the code another device shows. */
  enterPairingCode(text: string): void {
    this.pairing.enterCode(text);
  }

  cancelPairing(): void {
    this.pairing.cancel();
  }

  sendText(peerId: string, body: string): void {
    const link = this.links.get(peerId);
    if (!link) throw new Error('There is no connection to that device.');
    const sent = link.sendText(body);
    this.appendLine(peerId, { id: sent.id, direction: 'out', body, at: sent.sentAt, delivery: 'sending' });
  }

  stop(): void {
    this.presence.stop();
    this.ice?.stop();
    this.lan?.stop();
    for (const link of this.links.values()) link.close();
    this.client?.stop();
  }

  /** A device connected to us: a new link, or a stripe of one we have with it. */
  private attachIncoming(connection: DataConnectionPort): void {
    // Pairing connections go to the code's own peer id, never to this one: refuse strays.
    if ((connection.metadata as { ferryPairing?: unknown } | undefined)?.ferryPairing !== undefined) {
      connection.close();
      return;
    }
    const of = stripeOf(connection);
    if (of === undefined) {
      // Both sides dialled at once: the connection dialled by the lower id wins, on both sides.
      const ownId = this.snapshot.signaling?.peerId;
      const ours = this.links.get(connection.peer);
      if (ours?.dialed && this.linkStates.get(connection.peer) === 'connecting' && ownId !== undefined && ownId < connection.peer) {
        connection.close();
        return;
      }
      return this.attach(connection.peer, connection);
    }
    const link = this.links.get(connection.peer);
    if (link && link.connectionId === of) link.acceptStripe(connection);
    else connection.close();
  }

  private attach(peerId: string, connection: DataConnectionPort, dialStripe?: (metadata: StripeMetadata) => DataConnectionPort, background = false): void {
    const previous = this.links.get(peerId);
    // Set first: the old link's closing words are not news about the new one.
    this.links.delete(peerId);
    previous?.close();
    const device = this.snapshot.device;
    const current = () => this.links.get(peerId) === link;
    const link: PeerLink = new PeerLink(
      peerId,
      connection,
      {
        runtime: this.runtime,
        deviceName: device?.name ?? 'Ferry device',
        createHasher: this.ports.createHasher,
        onIncoming: (offer, decision, handle) => this.incoming(peerId, offer, decision, handle),
        ...(dialStripe ? { dialStripe } : {}),
        ...(this.identity ? { auth: this.pairing.sessionAuth(this.identity) } : {}),
      },
      {
        state: (state, detail) => {
          if (!current()) return;
          this.linkStates.set(peerId, state);
          this.reportPresence(peerId, state, detail);
          if (state === 'closed' || state === 'failed') {
            // An ended link is dropped (a LAN full of strangers must not pile up closed links).
            this.links.delete(peerId);
            this.linkStates.delete(peerId);
          }
          // A background attempt shows up once it is open (its failures are presence, not news).
          if (!this.conversation(peerId)) {
            if (state !== 'open') return;
            this.addConversation(peerId, state);
          }
          this.patchConversation(peerId, (c) => ({
            ...c,
            state,
            peerName: this.trustedName(peerId) ?? detail.peerName ?? c.peerName,
            error: state === 'failed' ? detail.error : undefined,
          }));
        },
        path: (path) => current() && this.patchConversation(peerId, (c) => ({ ...c, path })),
        chat: (event) => {
          // Delivery outcomes of lines sent on a replaced link still belong to those lines.
          if (!current() && event.type !== 'text-delivered' && event.type !== 'text-failed') return;
          switch (event.type) {
            case 'text-received':
              this.appendLine(peerId, {
                id: event.id,
                direction: 'in',
                body: event.body,
                at: event.receivedAt,
                delivery: 'received',
              });
              break;
            case 'text-delivered':
            case 'text-failed': {
              const delivery = event.type === 'text-delivered' ? 'delivered' : 'failed';
              this.patchConversation(peerId, (c) => ({
                ...c,
                lines: c.lines.map((l) => (l.id === event.id && l.direction === 'out' ? { ...l, delivery } : l)),
              }));
              break;
            }
            case 'opened':
            case 'closed':
              break;
            default: {
              const unreachable: never = event;
              return unreachable;
            }
          }
        },
      },
    );
    this.links.set(peerId, link);
    this.linkStates.set(peerId, 'connecting');
    this.presence.linkConnecting(peerId);
    // A background attempt leaves an earlier conversation as it was until it opens.
    if (!background || this.conversation(peerId)?.state === 'open') this.addConversation(peerId, 'connecting');
  }

  /** A conversation for the device (its earlier lines and transfers kept), in `state`. */
  private addConversation(peerId: string, state: LinkState): void {
    const existing = this.conversation(peerId);
    const fresh: Conversation = {
      peerId,
      peerName: this.trustedName(peerId) ?? existing?.peerName,
      state,
      path: undefined,
      error: undefined,
      lines: existing?.lines ?? [],
      transfers: existing?.transfers ?? [],
    };
    this.update({
      conversations: existing
        ? this.snapshot.conversations.map((c) => (c.peerId === peerId ? fresh : c))
        : [...this.snapshot.conversations, fresh],
    });
  }

  private reportPresence(peerId: string, state: LinkState, detail: { error?: string; code?: string }): void {
    switch (state) {
      case 'open':
        this.presence.linkOpened(peerId);
        return;
      case 'connecting':
        this.presence.linkConnecting(peerId);
        return;
      case 'closed':
      case 'failed':
        this.presence.linkEnded(peerId, detail.code === 'AUTH_UNPAIRED' ? { unpairedThere: detail.error ?? 'The other device has unpaired this one.' } : {});
        return;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  }

  private conversation(peerId: string): Conversation | undefined {
    return this.snapshot.conversations.find((c) => c.peerId === peerId);
  }

  private appendLine(peerId: string, line: ChatLine): void {
    // Bounded: a chatty or hostile peer cannot grow the window's memory without limit.
    this.patchConversation(peerId, (c) => ({ ...c, lines: [...c.lines, line].slice(-500) }));
  }

  private patchConversation(peerId: string, patch: (c: Conversation) => Conversation): void {
    this.update({
      conversations: this.snapshot.conversations.map((c) => (c.peerId === peerId ? patch(c) : c)),
    });
  }

  private update(patch: Partial<EngineSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
}
