import { decodeBase64, type HasherFactory, keyFingerprintWords, parsePeerId, type Runtime } from '../src-core/index.js';
import type { DeviceInfo, FerrySettings, HistoryEntry, OutgoingRecord, PublicIdentity, SignalingConfig } from './contract/device.js';
import type { DevicePort, DownloadsPort, FetchJson, OpenPaths, OutgoingFiles } from './ports/host.js';
import type { CreateSignalingPeer } from './ports/signaling.js';
import { SignalingClient } from './signaling/signaling-client.js';
import { IceKeeper } from './signaling/ice-keeper.js';
import { LinkBook } from './link/link-book.js';
import type { LinkDiagnostics } from './link/peer-link.js';
import { LanFollower } from './signaling/lan-follower.js';
import { CodeTransfers } from './pairing/code-transfer.js';
import { PairingController } from './pairing/pairing-controller.js';
import { PresenceTracker } from './presence/presence.js';
import { type EngineSnapshot, SnapshotStore } from './state/snapshot-store.js';
import { TrustQueue } from './state/trust-queue.js';
import { pairedDevices, renamed, withKind, without } from './state/trusted-devices.js';
import { TransferBook } from './transfers/transfer-book.js';
import { isFinal, TransferHistory } from './transfers/transfer-history.js';

export type { ChatLine, Conversation, TransferFile, TransferRow, TransferState } from './state/conversation.js';
export type { EngineSnapshot } from './state/snapshot-store.js';

/** What the engine runs on: the core's runtime, and the ports its host provides. */
export interface EnginePorts {
  runtime: Runtime;
  createHasher: HasherFactory;
  /** PeerJS on this host's WebRTC. */
  createPeer: CreateSignalingPeer;
  device: DevicePort;
  downloads: DownloadsPort;
  fetchJson: FetchJson;
  /** Files of remembered paths (absent: outgoing transfers do not survive a restart). */
  openPaths?: OpenPaths;
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
  /** Outgoing transfers that had not ended when the engine last ran: offered again (Resume). */
  outgoing?: OutgoingRecord[];
  /** Transfers that ended, newest first, as kept when the engine last ran. */
  history?: HistoryEntry[];
}

/**
 * Everything a Ferry device does on the network: signaling, links, sessions, pairing, presence,
 * transfers. Commands in (its methods), state out (a snapshot, and a call to each subscriber
 * when it changes); a view renders the snapshot and sends commands. The work is done by its
 * parts (links, transfers, pairing, presence, the trusted-device queue); this wires them.
 */
export class Engine {
  private readonly store = new SnapshotStore();
  private readonly runtime: Runtime;
  private readonly presence: PresenceTracker;
  private readonly pairing: PairingController;
  private readonly codes: CodeTransfers;
  private readonly links: LinkBook;
  private readonly transfers: TransferBook;
  private readonly history: TransferHistory;
  private readonly trust: TrustQueue;
  private identity: PublicIdentity | undefined;
  private client: SignalingClient | undefined;
  private ice: IceKeeper | undefined;
  private lan: LanFollower | undefined;

  constructor(private readonly ports: EnginePorts) {
    const { runtime } = ports;
    const store = this.store;
    this.runtime = runtime;
    this.trust = new TrustQueue({
      devices: () => store.get().settings?.trustedDevices,
      save: (trustedDevices) => this.saveSettings({ trustedDevices }),
    });
    this.pairing = new PairingController({
      runtime,
      client: () => this.client,
      identity: () => this.identity,
      deviceName: () => store.get().device?.name ?? 'Ferry device',
      trustedDevices: () => store.get().settings?.trustedDevices ?? [],
      changeTrusted: (change) => this.trust.change(change),
      sign: (transcript, role) => ports.device.signSession(transcript, role),
      status: (pairing) => store.update({ pairing }),
      paired: (peerId) => this.presence.checkNow(peerId),
      codeKey: (peerId) => this.codes.keyOf(peerId),
    });
    this.codes = new CodeTransfers({
      runtime,
      client: () => this.client,
      identity: () => this.identity,
      deviceName: () => store.get().device?.name ?? 'Ferry device',
      status: (codeTransfer) => store.update({ codeTransfer }),
      dial: (peerId) => this.links.dial(peerId, { background: false }),
      linkOpen: (peerId) => store.conversation(peerId)?.state === 'open',
      send: (peerId, files) => this.sendFiles(peerId, files),
    });
    this.presence = new PresenceTracker({
      runtime,
      dial: (peerId) => this.links.dial(peerId, { background: true }),
      changed: (presence) => store.update({ presence: Object.fromEntries(presence) }),
    });
    this.links = new LinkBook({
      runtime,
      createHasher: ports.createHasher,
      store,
      presence: this.presence,
      client: () => this.client,
      ice: () => this.ice,
      auth: () => (this.identity ? this.pairing.sessionAuth(this.identity) : undefined),
      onIncoming: (peerId, offer, decision, handle) => this.transfers.incoming(peerId, offer, decision, handle),
      onRefused: (peerId, transferId, error) => this.transfers.refused(peerId, transferId, error),
      linkOpened: (peerId) => {
        this.transfers.linkOpened(peerId);
        this.codes.linkOpened(peerId);
        const kind = this.links.get(peerId)?.peerKind;
        if (kind) void this.trust.change((devices) => withKind(devices, peerId, kind));
      },
      linkEnded: (peerId) => this.transfers.linkEnded(peerId),
      resumeRequested: (peerId, resumeKey) => this.transfers.resumeRequested(peerId, resumeKey),
    });
    this.history = new TransferHistory(store, async (entries) => ports.device.keepHistory?.(entries), () => runtime.now());
    this.transfers = new TransferBook({
      runtime,
      store,
      ended: (peerId, row) => this.history.record(peerId, store.conversation(peerId)?.peerName ?? peerId, row),
      device: ports.device,
      downloads: ports.downloads,
      transfersOf: (peerId) => this.links.get(peerId)?.transfers,
      trust: (peerId) => this.trustDevice(peerId),
      originOf: (peerId) => {
        const publicKey = this.links.get(peerId)?.peerKey;
        return publicKey === undefined ? undefined : { peerId, publicKey, name: store.conversation(peerId)?.peerName ?? peerId };
      },
      ...(ports.openPaths ? { openPaths: ports.openPaths } : {}),
      takeWithoutAsking: (peerId) => this.codes.takeWithoutAsking(peerId),
      dial: (peerId) => {
        try {
          this.links.dial(peerId, { background: true });
        } catch {
          // Not started or no signaling yet: the next redial tries again.
        }
      },
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  readonly getSnapshot = (): EngineSnapshot => this.store.get();

  start({ device, signaling: config, settings, downloadDir, identity, outgoing, history }: EngineStart): void {
    const { store } = this;
    this.identity = identity;
    this.history.load(history ?? []);
    store.update({ device, signalingConfig: config, settings, downloadDir, ownKeyWords: keyFingerprintWords(decodeBase64(identity.publicKey)) });
    this.syncPaired();
    this.client = new SignalingClient(
      config,
      { runtime: this.runtime, createPeer: this.ports.createPeer, debug: this.ports.peerJsDebug ?? 0 },
      {
        state: (signaling) => {
          const was = store.get().signaling?.kind;
          store.update({ signaling });
          this.presence.signaling(signaling.kind === 'connected');
          if (signaling.kind === 'connected' && was !== 'connected') this.transfers.signalingConnected();
        },
        incoming: (connection) => this.links.incoming(connection),
        peerUnavailable: (peerId) => {
          this.links.get(peerId)?.unavailable();
          this.pairing.peerUnavailable(peerId);
          this.codes.peerUnavailable(peerId);
        },
      },
      // Derived from this device's identity key (main keeps it): the same id every start, so
      // trusted devices find this one again, and nobody else can be it.
      identity.peerId,
    );
    void this.transfers.restoreInterrupted();
    if (outgoing?.length && this.ports.openPaths) void this.transfers.restoreOutgoing(outgoing, this.ports.openPaths);
    this.client.start();
    const client = this.client;
    this.ice = new IceKeeper(this.runtime, () => this.ports.device.iceServers(), (servers) => client.setIceServers(servers));
    this.ice.start();
    {
      // The built-in server, and a server set by address that lists its peers (a LAN's server
      // where mDNS does not reach): nearby devices, named by their cards.
      const lanStatus = config.embedded ? () => this.ports.device.lanStatus() : async () => null;
      const ports = { lanStatus, fetchJson: this.ports.fetchJson, nameCard: () => this.ports.device.nameCard(), selfId: () => store.get().signaling?.peerId };
      this.lan = new LanFollower(this.runtime, config.url, ports, {
        status: (lanStatus) => {
          if (JSON.stringify(lanStatus) !== JSON.stringify(store.get().lanStatus)) store.update({ lanStatus });
        },
        nearby: (ids, names) => {
          const self = store.get().signaling?.peerId;
          const nearby = ids.filter((id) => id !== self).sort();
          const nearbyNames = Object.fromEntries(nearby.flatMap((id) => (names[id] === undefined ? [] : [[id, names[id]]])));
          const before = store.get();
          if (nearby.join() !== before.nearby.join() || JSON.stringify(nearbyNames) !== JSON.stringify(before.nearbyNames)) store.update({ nearby, nearbyNames });
          this.presence.nearby(nearby);
        },
      }, { stopUnlisted: !config.embedded, token: config.token });
      this.lan.start();
    }
  }

  retrySignalingNow(): void {
    this.client?.retryNow();
  }

  /** Throws a FerryError with words for the user when the id is malformed. */
  connectTo(rawPeerId: string): void {
    const peerId = parsePeerId(rawPeerId);
    if (peerId === this.store.get().signaling?.peerId) throw new Error('That is this device’s own id.');
    this.links.dial(peerId, { background: false });
  }

  /**
   * Takes a device that is not connected off the list (a failed attempt, say). Throws in words
   * while it is connected or has a transfer that has not ended (it would vanish from view).
   */
  removeConversation(peerId: string): void {
    const conversation = this.store.conversation(peerId);
    if (!conversation) return;
    if (conversation.state === 'open' || conversation.state === 'connecting') throw new Error('It is connected: it stays while it is.');
    if (conversation.transfers.some((t) => !isFinal(t.state))) throw new Error('It has transfers that have not ended: finish or discard them first.');
    this.store.removeConversation(peerId);
  }

  /** Paired devices' presence: dial the ones not connected ("Try now"). */
  checkPresenceNow(peerId: string): void {
    this.presence.checkNow(peerId);
  }

  /** Forget a paired device's key here; its next attempt is refused, and it is told why. */
  async unpairDevice(peerId: string): Promise<Record<string, string> | undefined> {
    this.pairing.forget(peerId);
    const errors = await this.trust.change((devices) => without(devices, peerId));
    // The session open now was trusted under the pairing: it ends with it.
    if (!errors) this.links.get(peerId)?.close();
    return errors;
  }

  /** Our name for a paired device. Throws a FerryError in words for a name that cannot be kept. */
  async renameDevice(peerId: string, name: string): Promise<Record<string, string> | undefined> {
    const devices = this.store.get().settings?.trustedDevices;
    if (!devices) return undefined;
    // Checked now, so a bad name is refused in words at once.
    renamed(devices, peerId, name);
    const errors = await this.trust.change((devices) => renamed(devices, peerId, name));
    if (!errors) this.store.patchConversation(peerId, (c) => ({ ...c, peerName: this.store.trustedName(peerId) ?? c.peerName }));
    return errors;
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
    const name = this.store.conversation(peerId)?.peerName ?? peerId;
    await this.trust.change((devices) =>
      devices.some((d) => d.peerId === peerId) ? undefined : [...devices, { peerId, name: name.slice(0, 64), since: this.runtime.now() }],
    );
  }

  async forgetDevice(peerId: string): Promise<void> {
    this.pairing.forget(peerId);
    await this.trust.change((devices) => without(devices, peerId));
  }

  isTrusted(peerId: string): boolean {
    return this.store.isTrusted(peerId);
  }

  /** Main's settings changed (here, or in main: a folder picked there). */
  async settingsChanged(settings: FerrySettings): Promise<void> {
    const [device, downloadDir] = await Promise.all([this.ports.device.deviceInfo(), this.ports.device.downloadDir()]);
    // A new name: the LAN server's listing gets a freshly signed card.
    if (device.name !== this.store.get().device?.name) this.lan?.renamed();
    this.store.update({ settings, device, downloadDir });
    this.syncPaired();
  }

  /** Offers files (picked or dropped: files and folders, empty folders included) to a connected device. */
  sendFiles(peerId: string, files: OutgoingFiles): void {
    this.transfers.send(peerId, files);
  }

  acceptTransfer(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    this.transfers.accept(peerId, key, options);
  }

  declineTransfer(peerId: string, key: string): void {
    this.transfers.decline(peerId, key);
  }

  cancelTransfer(peerId: string, key: string): void {
    this.transfers.cancel(peerId, key);
  }

  /** Pauses a running transfer (both sides keep what they have until someone resumes it). */
  pauseTransfer(peerId: string, key: string): void {
    this.transfers.pause(peerId, key);
  }

  /** Resumes a paused or interrupted transfer (now if the device is connected, else when it is). */
  resumeTransfer(peerId: string, key: string): void {
    this.transfers.resume(peerId, key);
  }

  /** Throws away an interrupted transfer (it will not resume). */
  discardTransfer(peerId: string, key: string): void {
    this.transfers.discard(peerId, key);
  }

  /** Takes one ended transfer off the history and the transfers view (its files stay where they are). */
  removeHistoryEntry(id: string): void {
    this.history.remove(id);
    const slash = id.indexOf('/');
    if (slash > 0) this.transfers.forgetEnded(id.slice(0, slash), id.slice(slash + 1));
  }

  clearHistory(): void {
    this.history.clear();
    this.transfers.forgetEnded(undefined, undefined);
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

  /** "Send with a code": shows a one-time code; whoever types it receives these files. */
  sendFilesWithCode(files: OutgoingFiles): void {
    this.codes.send(files);
  }

  /** "Receive with a code": what the device showing it sends is received without asking. */
  receiveWithCode(code: string): void {
    this.codes.receive(code);
  }

  cancelCodeTransfer(): void {
    this.codes.cancel();
  }

  /** The link with a device as it is made now (connections, frames received on each): diagnostics, read-only. */
  linkDiagnostics(peerId: string): LinkDiagnostics | null {
    return this.links.get(peerId)?.diagnostics() ?? null;
  }

  sendText(peerId: string, body: string): void {
    const link = this.links.get(peerId);
    if (!link) throw new Error('There is no connection to that device.');
    const sent = link.sendText(body);
    this.store.appendLine(peerId, { id: sent.id, direction: 'out', body, at: sent.sentAt, delivery: 'sending' });
  }

  stop(): void {
    // A code being shown or entered goes too (its slot's registration, its connection).
    this.pairing.cancel();
    this.presence.stop();
    this.ice?.stop();
    this.lan?.stop();
    this.links.closeAll();
    this.transfers.close();
    this.client?.stop();
  }

  /** Presence follows the paired devices in the settings. */
  private syncPaired(): void {
    this.presence.setPaired(pairedDevices(this.store.get().settings?.trustedDevices ?? []).map((d) => d.peerId));
  }
}
