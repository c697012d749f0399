import {
  encodeBase64,
  createPairingCode,
  decodeBase64,
  formatPairingCode,
  PAIRING_CODE_LIFETIME_MS,
  type PairingCode,
  PairingInitiator,
  type PairingOutcome,
  PairingResponder,
  pairingPeerId,
  parsePairingCode,
  peerIdFromPublicKey,
  type Runtime,
  type CodePurpose,
} from '../../src-core/index.js';
import { whenBound } from '../link/channel-binding-when-ready.js';
import type { DataConnectionPort, SignalingPeerPort } from '../ports/signaling.js';

export type PairingStatus =
  | { kind: 'showing'; code: string; expiresAt: number }
  | { kind: 'working' }
  | { kind: 'paired'; name: string; peerId: string; publicKey: string; sas: string[] }
  | { kind: 'failed'; message: string };

export interface PairingContext {
  runtime: Runtime;
  /** This device's identity key (base64) and name. */
  publicKey: string;
  name: string;
  /** Registers another peer id on the signaling server (the code's slot). */
  openSidePeer(id: string): SignalingPeerPort;
  /** Opens a connection from this device's own peer. */
  connect(peerId: string, metadata: unknown): DataConnectionPort;
  onStatus(status: PairingStatus): void;
  /** What the code is for: pairing (the default) or one transfer (SPEC.md, "Transfer codes"). */
  purpose?: CodePurpose;
}

/** What the typing side hears when nobody waits behind a code's number (expired, used, mistyped). */
const NO_SUCH_CODE = 'No device is showing that code: it may have expired or been used already. Check the number with the other person, or ask for a new code.';

/** Once connected, the exchange takes a few round trips: silence this long means it is over. */
const EXCHANGE_TIMEOUT_MS = 20_000;
/** The words of a run's ends that name what the code was for: pairing, or sending files. */
function wordsFor(purpose: CodePurpose | undefined) {
  const what = purpose === 'transfer' ? 'the code was checked' : 'pairing finished';
  return {
    stoppedAnswering: `The other device stopped answering before ${what}. Try again with a new code.`,
    hungUp: `The other device hung up before ${what}. Try again with a new code.`,
    expired: `That code has expired (codes last 10 minutes). Show a new code to ${purpose === 'transfer' ? 'send' : 'pair'}.`,
    couldNotStart: (reason: string) => `${purpose === 'transfer' ? 'Sending with a code' : 'Pairing'} could not start: ${reason}`,
    cancelled: purpose === 'transfer' ? 'Cancelled: the code is no longer good.' : 'Pairing cancelled.',
  };
}

/** Connections one code takes before its exchange opens (each one that dies first sent nothing). */
const MAX_CONNECTIONS = 3;
const REDIAL_MS = 500;
const NEVER_CONNECTED = 'The other device could not connect to this one. Show a new code to try again.';
const COULD_NOT_CONNECT = 'Could not connect to the device showing that code. Try again with a new code.';

/** Pairing messages are small JSON; anything bigger is refused unread. */
const MAX_MESSAGE = 4096;

/** Runs one side of the exchange over a PeerJS connection's own DataChannel, as JSON text. */
function runOver(
  connection: DataConnectionPort,
  runtime: Runtime,
  start: (send: (m: unknown) => void, done: (o: PairingOutcome) => void, binding: string) => { receive(m: unknown): void },
  finish: (o: PairingOutcome) => void,
  /** False once the run ended (cancelled, timed out) while the binding was being read: then nothing starts. */
  live: () => boolean,
): void {
  const channel = connection.dataChannel;
  // The other side may hang up between the channel's 'open' and our message: a closed channel
  // throws on send (node-datachannel does), which must not escape into PeerJS's event handler.
  // The connection's close ends the exchange in words.
  const send = (m: unknown) => {
    if (channel.readyState !== 'open') return;
    try {
      channel.send(JSON.stringify(m));
    } catch {
      // Closed meanwhile: see above.
    }
  };
  // Listening from the start: what arrives while the binding is read waits for the exchange.
  let side: { receive(m: unknown): void } | undefined;
  const early: unknown[] = [];
  channel.addEventListener('message', (event) => {
    let message: unknown = null;
    if (typeof event.data === 'string' && event.data.length <= MAX_MESSAGE) {
      try {
        message = JSON.parse(event.data);
      } catch {
        message = null;
      }
    }
    if (side) side.receive(message);
    else if (early.length < 8) early.push(message);
  });
  whenBound(
    connection.peerConnection,
    runtime,
    (binding) => {
      if (!live()) return;
      side = start(send, finish, binding);
      for (const message of early.splice(0)) side.receive(message);
    },
    (error) => {
      if (live()) finish({ ok: false, error });
    },
  );
}

/**
 * "Pair a device": shows a fresh code and waits, under the peer id its slot routes to, for one
 * attempt within the code's lifetime.
 */
export function showPairingCode(context: PairingContext): { cancel(): void } {
  const words = wordsFor(context.purpose);
  const code: PairingCode = createPairingCode(context.runtime);
  const expiresAt = context.runtime.now() + PAIRING_CODE_LIFETIME_MS;
  const peer = context.openSidePeer(pairingPeerId(code.slot));
  let ended = false;
  let exchangeTimer: ReturnType<Runtime['setTimer']> | undefined;
  const end = (status: PairingStatus) => {
    if (ended) return;
    ended = true;
    context.runtime.clearTimer(timer);
    if (exchangeTimer !== undefined) context.runtime.clearTimer(exchangeTimer);
    context.onStatus(status);
    // Let the last message leave before the slot's registration goes.
    context.runtime.setTimer(1000, () => peer.destroy());
  };
  const timer = context.runtime.setTimer(PAIRING_CODE_LIFETIME_MS, () => end({ kind: 'failed', message: words.expired }));
  peer.on('error', (error) => {
    const type = String((error as { type?: string }).type);
    if (type === 'unavailable-id') end({ kind: 'failed', message: 'Someone else is using that code number right now. Start again for a new code.' });
    // PeerJS reports trouble with one of the slot's connections (a candidate the WebRTC stack
    // refused, say) as an error of the whole peer ('webrtc'): that connection's close or the
    // exchange's timer ends the pairing in words if it matters; the slot itself is fine.
    else if (!ended && type !== 'peer-unavailable' && type !== 'webrtc') end({ kind: 'failed', message: words.couldNotStart(error.message) });
  });
  // One exchange per code. A connection that dies before it opens carried no pairing message
  // (no guess at the code): the caller may dial again, up to a few connections in all.
  let exchanging: DataConnectionPort | undefined;
  let connections = 0;
  const waiting = new Set<DataConnectionPort>();
  peer.on('connection', (connection) => {
    if (exchanging || ended || connections >= MAX_CONNECTIONS) {
      connection.close();
      return;
    }
    connections++;
    waiting.add(connection);
    // A connection that neither opens nor closes is given up like the caller gives it up.
    const openTimer = context.runtime.setTimer(EXCHANGE_TIMEOUT_MS, () => {
      if (!waiting.has(connection)) return;
      connection.close();
      lost();
    });
    const lost = () => {
      context.runtime.clearTimer(openTimer);
      if (exchanging === connection) end({ kind: 'failed', message: words.hungUp });
      else if (waiting.delete(connection) && !exchanging && waiting.size === 0 && connections >= MAX_CONNECTIONS) end({ kind: 'failed', message: NEVER_CONNECTED });
    };
    connection.on('close', lost);
    connection.on('error', lost);
    connection.on('open', () => {
      context.runtime.clearTimer(openTimer);
      waiting.delete(connection);
      if (ended || exchanging) {
        connection.close();
        return;
      }
      exchanging = connection;
      for (const other of waiting) other.close();
      waiting.clear();
      context.onStatus({ kind: 'working' });
      exchangeTimer = context.runtime.setTimer(EXCHANGE_TIMEOUT_MS, () => end({ kind: 'failed', message: words.stoppedAnswering }));
      runOver(
        connection,
        context.runtime,
        (send, done, binding) => new PairingResponder({ runtime: context.runtime, code, binding, publicKey: decodeBase64(context.publicKey), name: context.name, purpose: context.purpose ?? 'pair', send, done }),
        (outcome) => {
          end(statusOf(outcome));
          context.runtime.setTimer(1000, () => connection.close());
        },
        () => !ended,
      );
    });
  });
  // The code is shown once its slot is registered: a device that dials it sooner (a link, a quick
  // typist) would hear that nobody is showing it.
  peer.on('open', () => {
    if (!ended) context.onStatus({ kind: 'showing', code: formatPairingCode(code), expiresAt });
  });
  return { cancel: () => end({ kind: 'failed', message: words.cancelled }) };
}

/** A running "enter a code": the signaling server may say nobody waits behind its number. */
export interface PairingAttempt {
  cancel(): void;
  peerUnavailable(peerId: string): void;
}

const NOTHING_RUNNING: PairingAttempt = { cancel: () => {}, peerUnavailable: () => {} };

/** "Enter a code": connects to the code's slot and runs the exchange. */
export function enterPairingCode(context: PairingContext, text: string): PairingAttempt {
  const words = wordsFor(context.purpose);
  let code: PairingCode;
  try {
    code = parsePairingCode(text);
  } catch (error) {
    context.onStatus({ kind: 'failed', message: (error as Error).message });
    return NOTHING_RUNNING;
  }
  context.onStatus({ kind: 'working' });
  const slotPeerId = pairingPeerId(code.slot);
  let connection: DataConnectionPort | undefined;
  let dials = 0;
  let finished = false;
  let opened = false;
  let timer: ReturnType<Runtime['setTimer']> | undefined;
  const finish = (status: PairingStatus) => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) context.runtime.clearTimer(timer);
    context.onStatus(status);
    const last = connection;
    context.runtime.setTimer(1000, () => last?.close());
  };
  const dial = () => {
    if (finished) return;
    dials++;
    let current: DataConnectionPort;
    try {
      current = context.connect(slotPeerId, { ferryPairing: 1 });
    } catch (error) {
      finish({ kind: 'failed', message: (error as Error).message });
      return;
    }
    connection = current;
    // Until the connection opens, silence means nobody shows the code; after, that they stopped.
    if (timer !== undefined) context.runtime.clearTimer(timer);
    timer = context.runtime.setTimer(20_000, () => finish({ kind: 'failed', message: NO_SUCH_CODE }));
    // A connection that dies on its way (ICE, DTLS: libdatachannel#1612 closes one now and then
    // before it opens) sent nothing of the exchange: dial again, a few times, before giving up.
    let lost = false;
    const lostBeforeOpen = (failed: string) => {
      // PeerJS says 'error' and then 'close' for one loss.
      if (finished || connection !== current || lost) return;
      lost = true;
      if (dials < MAX_CONNECTIONS) {
        context.runtime.setTimer(REDIAL_MS, dial);
        return;
      }
      finish({ kind: 'failed', message: failed });
    };
    current.on('close', () => (opened ? finish({ kind: 'failed', message: words.hungUp }) : lostBeforeOpen(COULD_NOT_CONNECT)));
    // A connection that fails on its way is not "nobody there": say what failed.
    current.on('error', (error) =>
      opened ? finish({ kind: 'failed', message: words.hungUp }) : lostBeforeOpen(`Could not connect to the device showing that code (${error.message}). Try again with a new code.`),
    );
    current.on('open', () => {
      if (finished || connection !== current) {
        current.close();
        return;
      }
      opened = true;
      if (timer !== undefined) context.runtime.clearTimer(timer);
      timer = context.runtime.setTimer(EXCHANGE_TIMEOUT_MS, () => finish({ kind: 'failed', message: words.stoppedAnswering }));
      runOver(
        current,
        context.runtime,
        (send, done, binding) => {
          const side = new PairingInitiator({ runtime: context.runtime, code, binding, publicKey: decodeBase64(context.publicKey), name: context.name, purpose: context.purpose ?? 'pair', send, done });
          side.start();
          return side;
        },
        (outcome) => finish(statusOf(outcome)),
        () => !finished && connection === current,
      );
    });
  };
  dial();
  return {
    cancel: () => finish({ kind: 'failed', message: words.cancelled }),
    peerUnavailable: (peerId) => {
      if (peerId === slotPeerId) finish({ kind: 'failed', message: NO_SUCH_CODE });
    },
  };
}

function statusOf(outcome: PairingOutcome): PairingStatus {
  if (!outcome.ok) return { kind: 'failed', message: outcome.error.message };
  const { publicKey, name, sas } = outcome.peer;
  return { kind: 'paired', name, sas, peerId: peerIdFromPublicKey(publicKey), publicKey: encodeBase64(publicKey) };
}
