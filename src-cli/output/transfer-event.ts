import type { TransferRow } from '../../src-engine/index.js';

/** A transfer as a JSON line says it (`--json`). */
export interface TransferEvent {
  event: 'progress' | 'done' | 'failed' | 'cancelled' | 'declined';
  transfer: string;
  direction: 'send' | 'receive';
  device: string;
  title: string;
  files: number;
  totalBytes: number;
  bytesDone: number;
  bytesPerSecond?: number;
  savedPaths?: string[];
  message?: string;
  endedBy?: 'here' | 'there';
}

function base(peerName: string, row: TransferRow): Omit<TransferEvent, 'event'> {
  return { transfer: row.key, direction: row.direction === 'out' ? 'send' : 'receive', device: peerName, title: row.title, files: row.fileCount, totalBytes: row.totalBytes, bytesDone: row.bytesDone };
}

export function progressEvent(peerName: string, row: TransferRow): TransferEvent {
  return { event: 'progress', ...base(peerName, row), bytesPerSecond: Math.round(row.bytesPerSecond) };
}

/** The line for an ended row; undefined while it still runs. */
export function endedEvent(peerName: string, row: TransferRow): TransferEvent | undefined {
  switch (row.state) {
    case 'done':
      return { event: 'done', ...base(peerName, row), ...(row.direction === 'in' ? { savedPaths: row.savedPaths } : {}) };
    case 'failed':
      return { event: 'failed', ...base(peerName, row), message: row.error ?? 'The transfer failed.' };
    case 'cancelled':
    case 'declined':
      return { event: row.state, ...base(peerName, row), message: row.error ?? `The transfer was ${row.state}.`, ...(row.endedBy ? { endedBy: row.endedBy } : {}) };
    case 'offered':
    case 'waiting':
    case 'active':
    case 'paused':
    case 'interrupted':
      return undefined;
    default: {
      const unreachable: never = row.state;
      return unreachable;
    }
  }
}
