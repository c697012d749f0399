import type { TransferRow, TransferState } from '../state/conversation.js';

/** What a transfer's `done` rejects with: a FerryError, its peer's code as the cause. */
export interface TransferFailure {
  code?: string;
  message?: string;
  /** The peer's own code for a decline; who cancelled for a cancel. */
  cause?: { code?: string; by?: 'local' | 'remote' };
}

/**
 * How a transfer that did not complete ended, for its row; `shown` is the row's state before.
 * A person's own cancel or decline is no error; the other side's is said with its name.
 */
export function endedWith(failure: TransferFailure, shown: TransferState | undefined, peerName: string): Pick<TransferRow, 'state' | 'error' | 'endedBy'> {
  if (shown === 'declined') return { state: 'declined', error: failure.code === 'TRANSFER_DECLINED' ? undefined : failure.message, endedBy: 'here' };
  switch (failure.code) {
    case 'TRANSFER_DECLINED':
      // A person saying no needs no explanation; a device refusing (no space, bad names) does.
      return { state: 'declined', error: failure.cause?.code === 'USER_DECLINED' ? undefined : failure.message, endedBy: 'there' };
    case 'TRANSFER_CANCELLED': {
      // A plain cancel is a person's; any other code is a device's reason, kept in its words.
      const byPerson = failure.cause?.code === undefined || failure.cause.code === 'TRANSFER_CANCELLED';
      if (failure.cause?.by === 'local') return { state: 'cancelled', error: byPerson ? undefined : failure.message, endedBy: 'here' };
      return { state: 'cancelled', error: byPerson ? `${peerName} cancelled it.` : failure.message, endedBy: 'there' };
    }
    default:
      return { state: 'failed', error: failure.message, endedBy: undefined };
  }
}

/** The OS notification for a transfer that ended; undefined while it runs. */
export function outcomeNotice(row: TransferRow, peerName: string): { title: string; body: string } | undefined {
  const direction = row.direction === 'in' ? `from ${peerName}` : `to ${peerName}`;
  let title: string;
  switch (row.state) {
    case 'done':
      title = row.direction === 'in' ? `Received ${row.title}` : `Sent ${row.title}`;
      break;
    case 'failed':
      title = `${row.title} ${direction} failed`;
      break;
    case 'declined':
    case 'cancelled':
    case 'interrupted':
      title = `${row.title} ${direction} was ${row.state}`;
      break;
    case 'offered':
    case 'waiting':
    case 'active':
    case 'paused':
      return undefined;
    default: {
      const unreachable: never = row.state;
      return unreachable;
    }
  }
  const body = row.state === 'done' ? `${row.fileCount} ${row.fileCount === 1 ? 'file' : 'files'} ${direction}, verified.` : (row.error ?? '');
  return { title: title.slice(0, 200), body: body.slice(0, 1000) };
}
