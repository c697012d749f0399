import type { DeviceInfo, FerrySettings, HistoryEntry, LanStatus, SignalingConfig } from '../contract/device.js';
import type { LinkState } from '../link/peer-link.js';
import type { CodeTransferStatus } from '../pairing/code-transfer.js';
import type { PairingStatus } from '../pairing/pairing-link.js';
import type { Presence } from '../presence/presence.js';
import type { SignalingState } from '../signaling/signaling-client.js';
import type { ChatLine, Conversation } from './conversation.js';

export interface EngineSnapshot {
  device: DeviceInfo | undefined;
  /** Where the built-in signaling runs (hosted here, or on another Ferry); undefined for a custom server. */
  lanStatus: LanStatus | undefined;
  /** Other Ferry devices on the same LAN server (their ids), not counting this one. */
  nearby: string[];
  /** Names nearby devices' cards prove (signed by the key their id derives from), by id. */
  nearbyNames: Readonly<Record<string, string>>;
  /** Pairing by code, while it runs and its last outcome. */
  pairing: PairingStatus | undefined;
  /** Sending or receiving with a one-time code, while it runs and its last outcome. */
  codeTransfer: CodeTransferStatus | undefined;
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
  /** Transfers that ended, newest first (kept across restarts). */
  history: HistoryEntry[];
  fatalError: string | undefined;
}

/** Chat lines kept per conversation: a chatty or hostile peer cannot grow memory without limit. */
const MAX_LINES = 500;
/** Conversations kept; past this, idle ones with devices that are not trusted go, oldest first. */
export const MAX_CONVERSATIONS = 48;

/** Nothing to act on in it: not connected, not trusted, and every transfer has ended. */
function isIdleStranger(c: Conversation, trusted: boolean): boolean {
  if (trusted || c.state === 'open' || c.state === 'connecting') return false;
  return c.transfers.every((t) => t.state === 'done' || t.state === 'failed' || t.state === 'cancelled' || t.state === 'declined');
}

/** The state before anything is known: an engine not started yet, or a view before its first snapshot. */
export const EMPTY_SNAPSHOT: EngineSnapshot = {
  device: undefined,
  lanStatus: undefined,
  nearby: [],
  nearbyNames: {},
  pairing: undefined,
  codeTransfer: undefined,
  presence: {},
  ownKeyWords: undefined,
  settings: undefined,
  downloadDir: undefined,
  signaling: undefined,
  signalingConfig: undefined,
  conversations: [],
  history: [],
  fatalError: undefined,
};

/**
 * The engine's state: one immutable snapshot, replaced on every change, and a call to each
 * subscriber when it is (what React's useSyncExternalStore wants).
 */
export class SnapshotStore {
  private snapshot: EngineSnapshot = EMPTY_SNAPSHOT;
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(): EngineSnapshot {
    return this.snapshot;
  }

  update(patch: Partial<EngineSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  conversation(peerId: string): Conversation | undefined {
    return this.snapshot.conversations.find((c) => c.peerId === peerId);
  }

  /** A conversation for the device (its earlier lines and transfers kept), in `state`. */
  addConversation(peerId: string, state: LinkState): void {
    const existing = this.conversation(peerId);
    const fresh: Conversation = {
      peerId,
      peerName: this.trustedName(peerId) ?? existing?.peerName,
      peerKind: existing?.peerKind,
      state,
      path: undefined,
      error: undefined,
      keyWords: existing?.keyWords,
      lines: existing?.lines ?? [],
      transfers: existing?.transfers ?? [],
    };
    this.update({
      conversations: existing
        ? this.snapshot.conversations.map((c) => (c.peerId === peerId ? fresh : c))
        : this.withoutOldStrangers([...this.snapshot.conversations, fresh]),
    });
  }

  /**
   * A peer can come back under new ids again and again (any number of keys): past a bound, the
   * oldest conversations that hold nothing to act on — not connected, not trusted, no transfer
   * still running, paused or offered — go, so the window and memory stay bounded.
   */
  private withoutOldStrangers(conversations: Conversation[]): Conversation[] {
    let excess = conversations.length - MAX_CONVERSATIONS;
    if (excess <= 0) return conversations;
    return conversations.filter((c) => {
      if (excess <= 0 || !isIdleStranger(c, this.isTrusted(c.peerId))) return true;
      excess--;
      return false;
    });
  }

  /** Changes the device's conversation, if it has one. */
  patchConversation(peerId: string, patch: (c: Conversation) => Conversation): void {
    this.update({
      conversations: this.snapshot.conversations.map((c) => (c.peerId === peerId ? patch(c) : c)),
    });
  }

  removeConversation(peerId: string): void {
    this.update({ conversations: this.snapshot.conversations.filter((c) => c.peerId !== peerId) });
  }

  appendLine(peerId: string, line: ChatLine): void {
    this.patchConversation(peerId, (c) => ({ ...c, lines: [...c.lines, line].slice(-MAX_LINES) }));
  }

  /** Our name for a trusted device, when it is one. */
  trustedName(peerId: string): string | undefined {
    return this.snapshot.settings?.trustedDevices.find((d) => d.peerId === peerId)?.name;
  }

  isTrusted(peerId: string): boolean {
    return this.snapshot.settings?.trustedDevices.some((d) => d.peerId === peerId) ?? false;
  }
}
