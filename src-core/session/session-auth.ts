import { FerryError } from '../errors.js';
import type { Runtime, TimerHandle } from '../runtime.js';
import type { AuthMessage } from '../wire/control.js';
import { constantTimeEqual } from '../pairing/cpace.js';
import { peerIdFromPublicKey, sessionTranscript, verifySessionSignature } from '../pairing/identity.js';
import { decodeBase64, encodeBase64 } from '../pairing/pairing-session.js';

const UNPAIRED_THERE = 'The other device has unpaired this one and no longer trusts it. Pair again, or unpair it here too.';

export type SessionAuthOutcome =
  | { ok: true; publicKey: Uint8Array; paired: boolean }
  | { ok: false; error: FerryError };

export interface SessionAuthOptions {
  runtime: Pick<Runtime, 'randomBytes' | 'setTimer' | 'clearTimer'>;
  /** The side that opened the connection is the initiator. */
  role: 'initiator' | 'responder';
  /** Both SDPs' DTLS fingerprints (identity.ts channelBinding). */
  binding: string;
  ownPublicKey: Uint8Array;
  /** The peer id the signaling server connected us to: its key must derive it. */
  remotePeerId: string;
  /** The key stored when we paired with that peer id, if we did. */
  pairedKey?: Uint8Array | undefined;
  /** Main signs the transcript with this device's key. */
  sign: (transcript: Uint8Array, role: 'initiator' | 'responder') => Promise<Uint8Array>;
  send: (message: AuthMessage) => void;
  done: (outcome: SessionAuthOutcome) => void;
  timeoutMs?: number;
}

/**
 * Mutual authentication at the start of every session (SPEC.md, "Session authentication"):
 * each side shows its identity key and a fresh nonce, then signs the transcript that binds both
 * to this DTLS session. The key must derive the peer id we dialled or were dialled by, and must
 * be the key we paired with, if we paired. Until this succeeds the session carries nothing else.
 */
export class SessionAuthenticator {
  private readonly nonce: Uint8Array;
  private peer: { key: Uint8Array; nonce: Uint8Array; paired: boolean } | undefined;
  private verified: boolean | undefined;
  private peerSignature: Uint8Array | undefined;
  private transcript: Uint8Array | undefined;
  /** Our proof must be out before we call the session authenticated: the peer waits for it. */
  private proofSent = false;
  private finished = false;
  private readonly timer: TimerHandle;

  constructor(private readonly options: SessionAuthOptions) {
    this.nonce = options.runtime.randomBytes(32);
    this.timer = options.runtime.setTimer(options.timeoutMs ?? 15_000, () =>
      this.fail('AUTH_FAILED', 'The other device did not prove who it is in time.'),
    );
  }

  start(): void {
    this.options.send({ type: 'auth-hello', key: encodeBase64(this.options.ownPublicKey), nonce: encodeBase64(this.nonce), paired: this.options.pairedKey !== undefined });
  }

  receive(message: AuthMessage): void {
    if (this.finished) return;
    switch (message.type) {
      case 'auth-hello': {
        if (this.peer) return this.fail('AUTH_FAILED', 'The other device introduced itself twice.');
        const key = decodeBase64(message.key);
        if (peerIdFromPublicKey(key) !== this.options.remotePeerId) {
          return this.fail('AUTH_FAILED', 'The other device’s key does not match its id: it is not who the server says it is.');
        }
        if (this.options.pairedKey && !constantTimeEqual(key, this.options.pairedKey)) {
          return this.fail('AUTH_FAILED', 'This is not the device you paired with (its key is different). Pair again if it was reinstalled.');
        }
        // Whether it keeps us as paired is acted on only once its proof verifies (check()): an
        // unproven claim must not make anyone give up a pairing.
        this.peer = { key, nonce: decodeBase64(message.nonce), paired: message.paired };
        const ours = { nonce: this.nonce, publicKey: this.options.ownPublicKey };
        const theirs = { nonce: this.peer.nonce, publicKey: key };
        const transcript = sessionTranscript({
          binding: this.options.binding,
          initiator: this.options.role === 'initiator' ? ours : theirs,
          responder: this.options.role === 'initiator' ? theirs : ours,
        });
        this.transcript = transcript;
        this.options.sign(transcript, this.options.role).then(
          (signature) => {
            if (this.finished) return;
            this.options.send({ type: 'auth-proof', signature: encodeBase64(signature) });
            this.proofSent = true;
            this.check();
          },
          (error: unknown) => this.fail('AUTH_FAILED', `Could not sign with this device’s key: ${(error as Error)?.message ?? error}`),
        );
        return;
      }
      case 'auth-proof':
        if (this.peerSignature) return this.fail('AUTH_FAILED', 'The other device sent two proofs.');
        this.peerSignature = decodeBase64(message.signature);
        this.check();
        return;
      case 'auth-fail':
        // An unpairing is believed only from a device that has proven its key on this session,
        // and told in our words; anything else is a refusal, quoted briefly.
        if (message.code === 'AUTH_UNPAIRED' && this.options.pairedKey && this.peerVerified()) {
          this.end({ ok: false, error: new FerryError('AUTH_UNPAIRED', UNPAIRED_THERE) });
        } else {
          this.end({ ok: false, error: new FerryError('AUTH_FAILED', `The other device refused this connection: ${message.message.slice(0, 200)}`) });
        }
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  /** The peer's proof verifies (undefined: not all of it is here yet). Computed once. */
  private peerVerified(): boolean | undefined {
    if (this.verified !== undefined) return this.verified;
    if (!this.peer || !this.transcript || !this.peerSignature) return undefined;
    const theirRole = this.options.role === 'initiator' ? 'responder' : 'initiator';
    this.verified = verifySessionSignature(this.peer.key, this.transcript, theirRole, this.peerSignature);
    return this.verified;
  }

  private check(): void {
    if (this.finished || !this.peer || !this.proofSent) return;
    const verified = this.peerVerified();
    if (verified === undefined) return;
    if (!verified) {
      return this.fail('AUTH_FAILED', 'The other device’s proof of identity is wrong: this connection may be intercepted.');
    }
    // Proven, and sent over this very DTLS session: now its word on the pairing counts. Pairing
    // is mutual: when one side has forgotten the other, neither trusts the session.
    if (this.peer.paired && !this.options.pairedKey) {
      // Unpaired here, or never paired at all (a stranger claiming to be): the words fit both.
      return this.fail('AUTH_UNPAIRED', 'A device that is not paired with this one tried to connect as if it were. It is refused; pair the two (again) if it should be trusted.');
    }
    if (!this.peer.paired && this.options.pairedKey) return this.fail('AUTH_UNPAIRED', UNPAIRED_THERE);
    this.end({ ok: true, publicKey: this.peer.key, paired: this.options.pairedKey !== undefined });
  }

  /** The session ended first: nothing more is sent or decided (its deadline goes too). */
  stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.options.runtime.clearTimer(this.timer);
  }

  private fail(code: 'AUTH_FAILED' | 'AUTH_UNPAIRED', message: string): void {
    if (this.finished) return;
    this.options.send({ type: 'auth-fail', code, message });
    this.end({ ok: false, error: new FerryError(code, message) });
  }

  private end(outcome: SessionAuthOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.options.runtime.clearTimer(this.timer);
    this.options.done(outcome);
  }
}
