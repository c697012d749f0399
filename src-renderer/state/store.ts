import type { DataConnection } from 'peerjs';
import { type HasherFactory, parsePeerId, type Runtime } from '../../src-core/index';
import type { DeviceInfo, SignalingConfig } from '../../src-main/preload/api';
import { SignalingClient, type SignalingState } from '../signaling/signaling-client';
import { type LinkState, PeerLink } from '../session/peer-link';

export interface ChatLine {
  id: string;
  direction: 'out' | 'in';
  body: string;
  at: number;
  delivery: 'sending' | 'delivered' | 'failed' | 'received';
}

export interface Conversation {
  peerId: string;
  peerName: string | undefined;
  state: LinkState;
  error: string | undefined;
  lines: ChatLine[];
}

export interface AppSnapshot {
  device: DeviceInfo | undefined;
  signaling: SignalingState | undefined;
  signalingConfig: SignalingConfig | undefined;
  conversations: Conversation[];
  fatalError: string | undefined;
}

/**
 * The renderer's state, outside React: React subscribes (useSyncExternalStore) and calls
 * methods; nothing protocol-related lives in components or hooks.
 */
export class AppStore {
  private snapshot: AppSnapshot = {
    device: undefined,
    signaling: undefined,
    signalingConfig: undefined,
    conversations: [],
    fatalError: undefined,
  };
  private readonly listeners = new Set<() => void>();
  private readonly links = new Map<string, PeerLink>();
  private client: SignalingClient | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly createHasher: HasherFactory,
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): AppSnapshot => this.snapshot;

  start(device: DeviceInfo, config: SignalingConfig): void {
    this.update({ device, signalingConfig: config });
    this.client = new SignalingClient(config, this.runtime, {
      state: (signaling) => this.update({ signaling }),
      incoming: (connection) => this.attach(connection.peer, connection),
      peerUnavailable: (peerId) => this.links.get(peerId)?.unavailable(),
    });
    this.client.start();
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
    if (!this.client) throw new Error('Ferry is still starting.');
    if (peerId === this.snapshot.signaling?.peerId) throw new Error('That is this device’s own id.');
    const existing = this.links.get(peerId);
    const conversation = this.conversation(peerId);
    if (existing && (conversation?.state === 'open' || conversation?.state === 'connecting')) return;
    this.attach(peerId, this.client.connect(peerId));
  }

  sendText(peerId: string, body: string): void {
    const link = this.links.get(peerId);
    if (!link) throw new Error('There is no connection to that device.');
    const sent = link.sendText(body);
    this.appendLine(peerId, { id: sent.id, direction: 'out', body, at: sent.sentAt, delivery: 'sending' });
  }

  stop(): void {
    for (const link of this.links.values()) link.close();
    this.client?.stop();
  }

  private attach(peerId: string, connection: DataConnection): void {
    this.links.get(peerId)?.close();
    const device = this.snapshot.device;
    const link = new PeerLink(
      peerId,
      connection,
      {
        runtime: this.runtime,
        deviceName: device?.name ?? 'Ferry device',
        createHasher: this.createHasher,
        // Receiving files needs the download folder through main: it arrives with the transfer UI.
        onIncoming: (_offer, decision) => decision.decline('NOT_SUPPORTED', 'This Ferry cannot receive files yet.'),
      },
      {
        state: (state, detail) =>
          this.patchConversation(peerId, (c) => ({
            ...c,
            state,
            peerName: detail.peerName ?? c.peerName,
            error: state === 'failed' ? detail.error : undefined,
          })),
        chat: (event) => {
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
    const existing = this.conversation(peerId);
    const fresh: Conversation = {
      peerId,
      peerName: existing?.peerName,
      state: 'connecting',
      error: undefined,
      lines: existing?.lines ?? [],
    };
    this.update({
      conversations: existing
        ? this.snapshot.conversations.map((c) => (c.peerId === peerId ? fresh : c))
        : [...this.snapshot.conversations, fresh],
    });
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

  private update(patch: Partial<AppSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
}
