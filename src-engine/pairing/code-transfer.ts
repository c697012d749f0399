import { decodeBase64, type Runtime } from '../../src-core/index.js';
import type { PublicIdentity } from '../contract/device.js';
import type { OutgoingFiles } from '../ports/host.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { enterPairingCode, type PairingAttempt, type PairingContext, type PairingStatus, showPairingCode } from './pairing-link.js';

/** What the window shows of a transfer by code; the transfer itself is a row like any other. */
export type CodeTransferStatus =
  | { kind: 'showing'; role: 'send'; code: string; expiresAt: number }
  | { kind: 'working'; role: 'send' | 'receive' }
  | { kind: 'connected'; role: 'send' | 'receive'; peerId: string; name: string }
  | { kind: 'failed'; role: 'send' | 'receive'; message: string };

export interface CodeTransferDeps {
  runtime: Runtime;
  client: () => SignalingClient | undefined;
  identity: () => PublicIdentity | undefined;
  deviceName: () => string;
  status: (status: CodeTransferStatus | undefined) => void;
  /** Dials the device the code exchange proved (the sender does). */
  dial: (peerId: string) => void;
  /** A link to the device is open now (its session proved the key its id derives from). */
  linkOpen: (peerId: string) => boolean;
  /** Offers the files on the open link. */
  send: (peerId: string, files: OutgoingFiles) => void;
}

/** A device a code exchange proved stays known this long (the link and its offer follow at once). */
const KEY_LIFETIME_MS = 10 * 60_000;

/**
 * Send or receive with a one-time code (SPEC.md, "Transfer codes"): the pairing exchange with the
 * transfer purpose proves each side's identity key to the other, bound to that connection; the
 * sender then dials the receiver, whose session must prove that key, and offers the files; the
 * receiver takes that one offer without asking. Nothing is stored: the keys are held here, in
 * memory, for the transfer's session only.
 */
export class CodeTransfers {
  private run: { cancel(): void } | undefined;
  private attempt: PairingAttempt | undefined;
  private generation = 0;
  /** Keys the exchange proved, by peer id, until they expire. */
  private readonly keys = new Map<string, { publicKey: string; until: number }>();
  /** Files waiting for the link to the receiver. */
  private readonly outgoing = new Map<string, OutgoingFiles>();
  /** Senders whose next offer is taken without asking. */
  private readonly expected = new Set<string>();

  constructor(private readonly deps: CodeTransferDeps) {}

  /** Shows a code; whoever types it receives `files`. */
  send(files: OutgoingFiles): void {
    this.cancel();
    const generation = ++this.generation;
    this.run = showPairingCode(
      this.context('send', generation, (peer) => {
        // Ids derive from keys and every session proves its key: an open link is that device.
        if (this.deps.linkOpen(peer.peerId)) this.deps.send(peer.peerId, files);
        else {
          this.outgoing.set(peer.peerId, files);
          this.deps.dial(peer.peerId);
        }
      }),
    );
  }

  /** Types a code another device shows: what it sends is received without asking. */
  receive(code: string): void {
    this.cancel();
    const generation = ++this.generation;
    this.attempt = enterPairingCode(
      this.context('receive', generation, (peer) => this.expected.add(peer.peerId)),
      code,
    );
  }

  cancel(): void {
    this.run?.cancel();
    this.attempt?.cancel();
    this.run = undefined;
    this.attempt = undefined;
  }

  peerUnavailable(peerId: string): void {
    this.attempt?.peerUnavailable(peerId);
  }

  /** The key a session with `peerId` must prove, when a code exchange proved one a moment ago. */
  keyOf(peerId: string): Uint8Array | undefined {
    const known = this.keys.get(peerId);
    if (!known) return undefined;
    if (this.deps.runtime.now() > known.until) {
      this.keys.delete(peerId);
      return undefined;
    }
    return decodeBase64(known.publicKey);
  }

  /** The link to the receiver is open (authenticated against the proved key): the files go. */
  linkOpened(peerId: string): void {
    const files = this.outgoing.get(peerId);
    if (!files) return;
    this.outgoing.delete(peerId);
    this.deps.send(peerId, files);
  }

  /** An offer arrived from `peerId`: true once, for the sender a code exchange proved. */
  takeWithoutAsking(peerId: string): boolean {
    return this.keyOf(peerId) !== undefined && this.expected.delete(peerId);
  }

  private context(role: 'send' | 'receive', generation: number, proved: (peer: { peerId: string; name: string }) => void): PairingContext {
    const client = this.deps.client();
    const identity = this.deps.identity();
    if (!client || !identity) throw new Error('Ferry is still starting.');
    return {
      runtime: this.deps.runtime,
      publicKey: identity.publicKey,
      name: this.deps.deviceName(),
      purpose: 'transfer',
      openSidePeer: (id) => client.openSidePeer(id),
      connect: (peerId, metadata) => client.connect(peerId, metadata),
      onStatus: (status) => {
        if (generation !== this.generation) return;
        if (status.kind === 'paired') {
          this.keys.set(status.peerId, { publicKey: status.publicKey, until: this.deps.runtime.now() + KEY_LIFETIME_MS });
          proved(status);
        }
        this.deps.status(statusOf(role, status));
      },
    };
  }
}

function statusOf(role: 'send' | 'receive', status: PairingStatus): CodeTransferStatus {
  switch (status.kind) {
    case 'showing':
      return { kind: 'showing', role: 'send', code: status.code, expiresAt: status.expiresAt };
    case 'working':
      return { kind: 'working', role };
    case 'paired':
      return { kind: 'connected', role, peerId: status.peerId, name: status.name };
    case 'failed':
      return { kind: 'failed', role, message: status.message };
  }
}
