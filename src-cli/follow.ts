import type { EngineSnapshot, TransferRow } from '../src-engine/index.js';
import type { CliDevice } from './cli-device.js';
import type { Output } from './output/output.js';
import { endedEvent } from './output/transfer-event.js';
import { CliFailure } from './usage.js';

/** Ctrl-C: the run stops; what it was doing is cancelled on both sides. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor() {
    super('Cancelled.');
  }
}

/**
 * Resolves with what `check` finds in the engine's state (now or after a change); `check` may
 * throw to end the wait in words. Rejects with Interrupted on Ctrl-C, and in words after `timeoutMs`.
 */
export function until<T>(device: CliDevice, check: (snapshot: EngineSnapshot) => T | undefined, options: { signal: AbortSignal; timeoutMs?: number; timeoutMessage?: string }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      unsubscribe();
      clearTimeout(timer);
      options.signal.removeEventListener('abort', aborted);
      settle();
    };
    const aborted = () => finish(() => reject(new Interrupted()));
    const look = () => {
      try {
        const found = check(device.snapshot());
        if (found !== undefined) finish(() => resolve(found));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const unsubscribe = device.subscribe(look);
    options.signal.addEventListener('abort', aborted);
    if (options.timeoutMs !== undefined) timer = setTimeout(() => finish(() => reject(new CliFailure(options.timeoutMessage ?? 'Timed out.', 'TIMEOUT'))), options.timeoutMs);
    if (options.signal.aborted) aborted();
    else look();
  });
}

/** How long the signaling server may take to answer before the run fails. */
const SIGNALING_WAIT_MS = 30_000;

/** Waits until this device is registered on the signaling server. */
export function signalingConnected(device: CliDevice, signal: AbortSignal): Promise<true> {
  return until(
    device,
    (s) => {
      const state = s.signaling;
      if (s.fatalError) throw new CliFailure(s.fatalError, 'ENGINE_FAILED');
      if (state?.kind === 'offline') throw new CliFailure(`Cannot use the signaling server at ${s.signalingConfig?.url ?? '?'}: ${state.reason}`, 'SIGNALING_FAILED');
      return state?.kind === 'connected' ? true : undefined;
    },
    {
      signal,
      timeoutMs: SIGNALING_WAIT_MS,
      timeoutMessage: `Could not reach the signaling server at ${device.snapshot().signalingConfig?.url ?? 'its address'} within ${SIGNALING_WAIT_MS / 1000} s.`,
    },
  );
}

function rowOf(snapshot: EngineSnapshot, peerId: string, key: string): { name: string; row: TransferRow } | undefined {
  const conversation = snapshot.conversations.find((c) => c.peerId === peerId);
  const row = conversation?.transfers.find((t) => t.key === key);
  return row && conversation ? { name: conversation.peerName ?? peerId, row } : undefined;
}

/** How long a cancel has to reach the other device before the process goes. */
const CANCEL_GRACE_MS = 2000;

/**
 * Shows one transfer until it ends, and resolves with its last row. Ctrl-C cancels it (the other
 * side hears it, the receiver's staged bytes go) before rejecting with Interrupted.
 */
export async function followTransfer(
  device: CliDevice,
  output: Output,
  peerId: string,
  key: string,
  signal: AbortSignal,
  /**
   * What a lost connection means: `wait` for the devices to meet again (paired: it resumes by
   * itself), or `fail` (a code transfer: nobody will offer it again), its partial download removed.
   */
  whenInterrupted: 'wait' | 'fail',
): Promise<TransferRow> {
  try {
    const ended = await until(
      device,
      (s) => {
        const found = rowOf(s, peerId, key);
        if (!found) return undefined;
        if (found.row.state === 'interrupted' && whenInterrupted === 'fail') {
          throw new CliFailure(`${found.name}: ${found.row.error ?? 'the connection closed before the transfer finished.'}`, 'TRANSFER_INTERRUPTED');
        }
        output.transfer(found.name, found.row);
        const event = endedEvent(found.name, found.row);
        if (!event) return undefined;
        output.transferEnded(event, found.row);
        return found.row;
      },
      { signal },
    );
    return ended;
  } catch (error) {
    // Discarded once the wait is over: discarding changes the row, and the wait would read that instead.
    if (error instanceof CliFailure && error.code === 'TRANSFER_INTERRUPTED') device.engine.discardTransfer(peerId, key);
    if (!(error instanceof Interrupted)) throw error;
    device.engine.cancelTransfer(peerId, key);
    const never = new AbortController().signal;
    const ended = (s: EngineSnapshot) => {
      const row = rowOf(s, peerId, key)?.row;
      return row === undefined || endedEvent('', row) !== undefined ? true : undefined;
    };
    await until(device, ended, { signal: never, timeoutMs: CANCEL_GRACE_MS }).catch(() => {});
    throw error;
  }
}

/** The words and exit code of an ended transfer. */
export function transferOutcome(row: TransferRow): { ok: true } | { ok: false; message: string; code: string } {
  switch (row.state) {
    case 'done':
      return { ok: true };
    case 'failed':
      return { ok: false, message: row.error ?? 'The transfer failed.', code: 'TRANSFER_FAILED' };
    case 'cancelled':
      return { ok: false, message: row.error ?? 'The transfer was cancelled.', code: 'CANCELLED' };
    case 'declined':
      return { ok: false, message: row.error ?? 'The other device declined.', code: 'DECLINED' };
    case 'offered':
    case 'waiting':
    case 'active':
    case 'paused':
    case 'interrupted':
      return { ok: false, message: 'The transfer has not ended.', code: 'NOT_ENDED' };
    default: {
      const unreachable: never = row.state;
      return unreachable;
    }
  }
}
