import { decodeBase64, type Runtime } from '../../src-core/index.js';
import type { FerrySettings, PublicIdentity } from '../contract/device.js';
import { enterPairingCode, type PairingAttempt, type PairingContext, type PairingStatus, showPairingCode } from './pairing-link.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { pairedKeyOf, withPaired } from '../state/trusted-devices.js';

export interface PairingControllerDeps {
  runtime: Runtime;
  client: () => SignalingClient | undefined;
  identity: () => PublicIdentity | undefined;
  deviceName: () => string;
  trustedDevices: () => FerrySettings['trustedDevices'];
  /** A change to the trusted devices, run after those before it (the store's queue). */
  changeTrusted: (change: (devices: FerrySettings['trustedDevices']) => FerrySettings['trustedDevices']) => Promise<unknown>;
  /** Signs a session transcript with this device's key (main keeps it). */
  sign: (transcript: Uint8Array, role: 'initiator' | 'responder') => Promise<Uint8Array>;
  /** The pairing status the window shows. */
  status: (status: PairingStatus) => void;
  /** A device was just paired: connect to it. */
  paired: (peerId: string) => void;
  /** A key a transfer code proved a moment ago (held in memory only): its session must prove it. */
  codeKey?: (peerId: string) => Uint8Array | undefined;
}

/**
 * Pairing by code as the window runs it (one run at a time: showing a code or entering one),
 * what pairing leaves behind (the device stored by key), and what sessions need from it: our
 * key, main's signature, the key each paired device must prove.
 */
export class PairingController {
  private run: { cancel(): void } | undefined;
  private attempt: PairingAttempt | undefined;
  /** Which run may still report (a replaced one is silenced). */
  private generation = 0;
  /** Keys paired a moment ago, before main has saved them: a session may start at once. */
  private readonly justPaired = new Map<string, string>();

  constructor(private readonly deps: PairingControllerDeps) {}

  /** "Pair a device": show a one-time code and wait for the other device to enter it. */
  showCode(): void {
    this.cancel();
    this.run = showPairingCode(this.context());
  }

  /** Enter the code another device shows. */
  enterCode(text: string): void {
    this.cancel();
    this.attempt = enterPairingCode(this.context(), text);
  }

  cancel(): void {
    this.attempt?.cancel();
    this.run?.cancel();
    this.attempt = undefined;
    this.run = undefined;
  }

  /** The signaling server says nobody is registered under that id (a code's slot, perhaps). */
  peerUnavailable(peerId: string): void {
    this.attempt?.peerUnavailable(peerId);
  }

  /** A device is unpaired or forgotten: a pairing of a moment ago no longer counts either. */
  forget(peerId: string): void {
    this.justPaired.delete(peerId);
  }

  /** What a link needs to authenticate sessions: our key, main's signature, paired keys. */
  sessionAuth(identity: PublicIdentity) {
    return {
      publicKey: decodeBase64(identity.publicKey),
      sign: this.deps.sign,
      pairedKey: (peerId: string) => {
        const fresh = this.justPaired.get(peerId);
        return fresh ? decodeBase64(fresh) : (pairedKeyOf(this.deps.trustedDevices(), peerId) ?? this.deps.codeKey?.(peerId));
      },
    };
  }

  private context(): PairingContext {
    const client = this.deps.client();
    const identity = this.deps.identity();
    if (!client || !identity) throw new Error('Ferry is still starting.');
    // Only the newest run speaks: a replaced one's late words must not cover a new code.
    const generation = ++this.generation;
    return {
      runtime: this.deps.runtime,
      publicKey: identity.publicKey,
      name: this.deps.deviceName(),
      openSidePeer: (id) => client.openSidePeer(id),
      connect: (peerId, metadata) => client.connect(peerId, metadata),
      onStatus: (status) => {
        // A pairing that completed is kept even if another run started meanwhile.
        if (status.kind === 'paired') void this.remember(status);
        if (generation === this.generation) this.deps.status(status);
      },
    };
  }

  /** A paired device is trusted by its key (and found by the id derived from it). */
  private async remember(paired: Extract<PairingStatus, { kind: 'paired' }>): Promise<void> {
    this.justPaired.set(paired.peerId, paired.publicKey);
    await this.deps.changeTrusted((devices) => withPaired(devices, paired, this.deps.runtime.now()));
    this.justPaired.delete(paired.peerId);
    // Paired anew: connect now (a device that had unpaired this one is trusted again).
    this.deps.paired(paired.peerId);
  }
}
