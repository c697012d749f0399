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
/** After the exchange, the link and the offer must follow within this, or the run ends in words. */
const FOLLOW_UP_MS = 60_000;

/**
 * Send or receive with a one-time code (SPEC.md, "Transfer codes"): the pairing exchange with the
 * transfer purpose proves each side's identity key to the other, bound to that connection; the
 * sender then offers the files on a link to the receiver (whose session must prove that key), and
 * the receiver takes that one offer without asking. Nothing is stored: the key is held here, in
 * memory, until its one offer has gone (or ten minutes at most).
 */
export class CodeTransfers {
  private run: { cancel(): void } | undefined;
  private attempt: PairingAttempt | undefined;
  private generation = 0;
  /** Keys the exchange proved, by peer id, until their offer has gone or they expire. */
  private readonly keys = new Map<string, { publicKey: string; until: number }>();
  /** The files waiting for the link to the receiver (one run at a time). */
  private outgoing: { peerId: string; files: OutgoingFiles } | undefined;
  /** The sender whose next offer is taken without asking. */
  private expected: string | undefined;
  private followUp: ReturnType<Runtime['setTimer']> | undefined;
  private role: 'send' | 'receive' = 'send';

  constructor(private readonly deps: CodeTransferDeps) {}

  /** Shows a code; whoever types it receives `files`. */
  send(files: OutgoingFiles): void {
    this.cancel();
    this.role = 'send';
    const generation = ++this.generation;
    try {
      this.run = showPairingCode(this.context(generation, (peer) => this.proved(peer.peerId, files)));
    } catch (error) {
      void files.release?.();
      throw error;
    }
  }

  /** Types a code another device shows: what it sends is received without asking. */
  receive(code: string): void {
    this.cancel();
    this.role = 'receive';
    const generation = ++this.generation;
    this.attempt = enterPairingCode(
      this.context(generation, (peer) => {
        this.expected = peer.peerId;
        this.waitForFollowUp(generation, `${peer.name} sent nothing. Ask them for a new code.`);
      }),
      code,
    );
  }

  /** Ends the run, whatever stage it is at: no file goes, no offer is taken without asking. */
  cancel(): void {
    this.run?.cancel();
    this.attempt?.cancel();
    this.run = undefined;
    this.attempt = undefined;
    this.expected = undefined;
    this.clearFollowUp();
    if (this.outgoing) {
      this.keys.delete(this.outgoing.peerId);
      void this.outgoing.files.release?.();
      this.outgoing = undefined;
    }
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
    if (this.outgoing?.peerId === peerId) this.sendNow();
  }

  /** An offer arrived from `peerId`: true once, for the sender a code exchange proved. */
  takeWithoutAsking(peerId: string): boolean {
    if (this.expected !== peerId || this.keyOf(peerId) === undefined) return false;
    this.expected = undefined;
    this.keys.delete(peerId);
    this.clearFollowUp();
    return true;
  }

  /** The exchange proved the receiver: offer on an open link (every session proves its key), or dial. */
  private proved(peerId: string, files: OutgoingFiles): void {
    this.outgoing = { peerId, files };
    if (this.deps.linkOpen(peerId)) return this.sendNow();
    this.waitForFollowUp(this.generation, 'Could not reach the receiver to send the files. Try again with a new code.');
    try {
      this.deps.dial(peerId);
    } catch (error) {
      this.fail(`Could not reach the receiver: ${(error as Error).message}`);
    }
  }

  private sendNow(): void {
    const outgoing = this.outgoing;
    if (!outgoing) return;
    this.outgoing = undefined;
    this.keys.delete(outgoing.peerId);
    this.clearFollowUp();
    this.deps.send(outgoing.peerId, outgoing.files);
  }

  private waitForFollowUp(generation: number, words: string): void {
    this.clearFollowUp();
    this.followUp = this.deps.runtime.setTimer(FOLLOW_UP_MS, () => {
      if (generation === this.generation) this.fail(words);
    });
  }

  private clearFollowUp(): void {
    if (this.followUp !== undefined) this.deps.runtime.clearTimer(this.followUp);
    this.followUp = undefined;
  }

  private fail(message: string): void {
    this.cancel();
    this.deps.status({ kind: 'failed', role: this.role, message });
  }

  private context(generation: number, proved: (peer: { peerId: string; name: string }) => void): PairingContext {
    const client = this.deps.client();
    const identity = this.deps.identity();
    if (!client || !identity) throw new Error('Ferry is still starting.');
    const role = this.role;
    return {
      runtime: this.deps.runtime,
      publicKey: identity.publicKey,
      name: this.deps.deviceName(),
      purpose: 'transfer',
      openSidePeer: (id) => client.openSidePeer(id),
      connect: (peerId, metadata) => client.connect(peerId, metadata),
      onStatus: (status) => {
        if (generation !== this.generation) return;
        this.deps.status(statusOf(role, status));
        if (status.kind === 'paired') {
          this.keys.set(status.peerId, { publicKey: status.publicKey, until: this.deps.runtime.now() + KEY_LIFETIME_MS });
          proved(status);
        }
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
