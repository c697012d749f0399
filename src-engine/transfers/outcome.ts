import type { TransferRow, TransferState } from '../state/conversation.js';

/** What a transfer's `done` rejects with: a FerryError, its peer's code as the cause. */
export interface TransferFailure {
  code?: string;
  message?: string;
  cause?: { code?: string };
}

/** How a transfer that did not complete ended, for its row; `shown` is the row's state before. */
export function endedWith(failure: TransferFailure, shown: TransferState | undefined): { state: TransferState; error: string | undefined } {
  const state: TransferState = failure.code === 'TRANSFER_DECLINED' ? 'declined' : failure.code === 'TRANSFER_CANCELLED' ? 'cancelled' : 'failed';
  // A person saying no needs no explanation; a device refusing (no space, bad names) does.
  const plainNo = state === 'declined' && (shown === 'declined' || failure.cause?.code === 'USER_DECLINED');
  return { state: shown === 'declined' ? 'declined' : state, error: plainNo ? undefined : failure.message };
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
