import type { FerryError, HasherFactory, IncomingDecision, IncomingOffer, ReceiverEvent, Runtime, TransferHandle } from '../../src-core/index.js';
import { decodeBase64, keyFingerprintWords } from '../../src-core/index.js';
import type { DataConnectionPort } from '../ports/signaling.js';
import { reportLinkState } from '../presence/link-presence.js';
import type { PresenceTracker } from '../presence/presence.js';
import type { IceKeeper } from '../signaling/ice-keeper.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import { recordChat } from './chat-lines.js';
import { type LinkState, PeerLink, type PeerLinkOptions } from './peer-link.js';
import { type StripeMetadata, stripeOf } from './stripes.js';

/** A link a person asked for that fails before it opens is tried this many more times. */
const FOREGROUND_RETRIES = 1;
/** Before trying again (the other side's half-dead attempt gets a moment to end). */
const RETRY_DELAY_MS = 500;

export interface LinkBookDeps {
  runtime: Runtime;
  createHasher: HasherFactory;
  store: SnapshotStore;
  presence: PresenceTracker;
  /** The signaling client, once the engine has started. */
  client: () => Pick<SignalingClient, 'connect'> | undefined;
  /** Keeps the TURN credentials fresh, once the engine has started. */
  ice: () => Pick<IceKeeper, 'whenFresh'> | undefined;
  /** What sessions prove and check, once this device's identity is known. */
  auth: () => PeerLinkOptions['auth'];
  /** A link opened (authenticated) or ended: what is interrupted with the device resumes or waits. */
  linkOpened?: (peerId: string) => void;
  linkEnded?: (peerId: string) => void;
  /** The device's person resumes a paused transfer we were sending it. */
  resumeRequested?: (peerId: string, resumeKey: string) => void;
  /** A device offers files on its link. */
  onIncoming: (peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>) => void;
  /** A device's offer was refused before anyone was asked (a hostile name, say): the person is told. */
  onRefused?: (peerId: string, transferId: number, error: FerryError) => void;
}

/**
 * The links to other devices, at most one per device: dialled (by a person, or in the background
 * for presence) or accepted, with glare settled the same way on both sides, and what each link
 * does reported to the device's conversation and presence.
 */
export class LinkBook {
  private readonly links = new Map<string, PeerLink>();
  /** Each link's last state (a background link has no conversation to hold it). */
  private readonly states = new Map<string, LinkState>();
  /** Dials waiting for fresh TURN credentials (at most one per device). */
  private readonly pendingDials = new Map<string, { background: boolean }>();
  /**
   * Devices a person asked to connect to whose link has not opened yet, with the attempts left:
   * a connection can fail on one side only (ICE gave up here, the other side still waits), and
   * the person's wish outlives that one attempt.
   */
  private readonly wanted = new Map<string, number>();

  constructor(private readonly deps: LinkBookDeps) {}

  get(peerId: string): PeerLink | undefined {
    return this.links.get(peerId);
  }

  /**
   * Opens a link unless one is open or opening. A background link (presence) shows no
   * conversation until it opens; asking for it in the foreground shows the one under way.
   */
  dial(peerId: string, { background }: { background: boolean }): void {
    const client = this.deps.client();
    if (!client) throw new Error('Ferry is still starting.');
    if (!background && !this.wanted.has(peerId)) this.wanted.set(peerId, FOREGROUND_RETRIES);
    const pending = this.pendingDials.get(peerId);
    if (pending) {
      // The person asking wins over presence asking: it shows a conversation.
      if (!background) pending.background = false;
      return;
    }
    // TURN credentials expire: a dial waits for fresh ones when the refresh timer has not run.
    const fresh = this.deps.ice()?.whenFresh();
    if (fresh) {
      const request = { background };
      this.pendingDials.set(peerId, request);
      void fresh.finally(() => {
        this.pendingDials.delete(peerId);
        try {
          this.dial(peerId, request);
        } catch (error) {
          if (request.background) this.deps.presence.linkEnded(peerId);
          else this.showDialFailure(peerId, (error as Error).message);
        }
      });
      return;
    }
    const state = this.links.has(peerId) ? this.states.get(peerId) : undefined;
    if (state === 'open') this.wanted.delete(peerId);
    if (state === 'open' || state === 'connecting') {
      if (!background && !this.deps.store.conversation(peerId)) this.deps.store.addConversation(peerId, state);
      reportLinkState(this.deps.presence, peerId, state, {});
      return;
    }
    this.attach(peerId, client.connect(peerId), (metadata) => client.connect(peerId, metadata), background);
  }

  /** A device connected to us: a new link, or a stripe of one we have with it. */
  incoming(connection: DataConnectionPort): void {
    // Pairing connections go to the code's own peer id, never to this one: refuse strays.
    if ((connection.metadata as { ferryPairing?: unknown } | undefined)?.ferryPairing !== undefined) {
      connection.close();
      return;
    }
    const of = stripeOf(connection);
    if (of === undefined) {
      // Both sides dialled: the connection with the lower connection id wins, on both sides. Each
      // side sees both ids (the dialer picks it, the offer carries it), whenever each arrives: a
      // dial the server held while the device was away and delivered late is settled the same way.
      const ours = this.links.get(connection.peer);
      const glare = ours?.dialed && this.states.get(connection.peer) === 'connecting';
      if (glare && ours.connectionId < connection.connectionId) {
        connection.close();
        return;
      }
      return this.attach(connection.peer, connection);
    }
    const link = this.links.get(connection.peer);
    if (link && link.connectionId === of) link.acceptStripe(connection);
    else connection.close();
  }

  closeAll(): void {
    this.wanted.clear();
    for (const link of this.links.values()) link.close();
  }

  /**
   * A link a person asked for failed before it opened, for want of a connection (not a refusal):
   * dials again while attempts are left, the conversation still saying "connecting".
   */
  private tryAgain(peerId: string, code: string | undefined): boolean {
    const left = this.wanted.get(peerId) ?? 0;
    const transport = code === undefined || code === 'CHANNEL_CLOSED';
    if (left <= 0 || !transport) {
      this.wanted.delete(peerId);
      return false;
    }
    this.wanted.set(peerId, left - 1);
    this.deps.runtime.setTimer(RETRY_DELAY_MS, () => {
      if (this.links.has(peerId) || this.pendingDials.has(peerId)) return;
      try {
        this.dial(peerId, { background: false });
      } catch (error) {
        this.wanted.delete(peerId);
        this.showDialFailure(peerId, (error as Error).message);
      }
    });
    return true;
  }

  private showDialFailure(peerId: string, message: string): void {
    const { store } = this.deps;
    if (!store.conversation(peerId)) store.addConversation(peerId, 'failed');
    store.patchConversation(peerId, (c) => ({ ...c, state: 'failed', error: message }));
  }

  private attach(peerId: string, connection: DataConnectionPort, dialStripe?: (metadata: StripeMetadata) => DataConnectionPort, background = false): void {
    const { store, presence } = this.deps;
    const previous = this.links.get(peerId);
    // Set first: the old link's closing words are not news about the new one.
    this.links.delete(peerId);
    previous?.close();
    const auth = this.deps.auth();
    const current = () => this.links.get(peerId) === link;
    const link: PeerLink = new PeerLink(
      peerId,
      connection,
      {
        runtime: this.deps.runtime,
        deviceName: store.get().device?.name ?? 'Ferry device',
        deviceKind: store.get().device?.kind,
        createHasher: this.deps.createHasher,
        onIncoming: (offer, decision, handle) => this.deps.onIncoming(peerId, offer, decision, handle),
        onRefused: (transferId, error) => this.deps.onRefused?.(peerId, transferId, error),
        onResumeRequest: (resumeKey) => this.deps.resumeRequested?.(peerId, resumeKey),
        ...(dialStripe ? { dialStripe } : {}),
        ...(auth ? { auth } : {}),
      },
      {
        state: (state, detail) => {
          if (!current()) return;
          this.states.set(peerId, state);
          reportLinkState(presence, peerId, state, detail);
          if (state === 'open') {
            this.wanted.delete(peerId);
            this.deps.linkOpened?.(peerId);
          }
          if (state === 'closed' || state === 'failed') {
            this.deps.linkEnded?.(peerId);
            // An ended link is dropped (a LAN full of strangers must not pile up closed links).
            this.links.delete(peerId);
            this.states.delete(peerId);
            if (state === 'failed' && this.tryAgain(peerId, detail.code)) return;
          }
          // A background attempt shows up once it is open (its failures are presence, not news).
          if (!store.conversation(peerId)) {
            if (state !== 'open') return;
            store.addConversation(peerId, state);
          }
          store.patchConversation(peerId, (c) => ({
            ...c,
            state,
            peerName: store.trustedName(peerId) ?? detail.peerName ?? c.peerName,
            keyWords: link.peerKey === undefined ? c.keyWords : keyFingerprintWords(decodeBase64(link.peerKey)),
            peerKind: link.peerKind ?? c.peerKind,
            error: state === 'failed' ? detail.error : undefined,
          }));
        },
        path: (path) => current() && store.patchConversation(peerId, (c) => ({ ...c, path })),
        chat: (event) => {
          // Delivery outcomes of lines sent on a replaced link still belong to those lines.
          if (!current() && event.type !== 'text-delivered' && event.type !== 'text-failed') return;
          recordChat(store, peerId, event);
        },
      },
    );
    this.links.set(peerId, link);
    this.states.set(peerId, 'connecting');
    presence.linkConnecting(peerId);
    // A background attempt leaves an earlier conversation as it was until it opens.
    if (!background || store.conversation(peerId)?.state === 'open') store.addConversation(peerId, 'connecting');
  }
}
