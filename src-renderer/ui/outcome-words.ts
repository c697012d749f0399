import type { HistoryEntry } from '../../src-engine/index';

/** How a transfer ended, in words: a person's own cancel or decline is said plainly, not as an error. */
export function outcomeWords(entry: Pick<HistoryEntry, 'state' | 'endedBy' | 'peerName'>): string {
  switch (entry.state) {
    case 'done':
      return 'Done, verified';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return entry.endedBy === 'here' ? 'You cancelled it' : `${entry.peerName} cancelled it`;
    case 'declined':
      return entry.endedBy === 'here' ? 'You declined it' : `${entry.peerName} declined it`;
    default: {
      const unreachable: never = entry.state;
      return unreachable;
    }
  }
}

/** Only what went wrong is shown as an error: not a person's choice on either side. */
export function isProblem(entry: Pick<HistoryEntry, 'state' | 'endedBy' | 'error'>): boolean {
  return entry.state === 'failed' || (entry.error !== undefined && entry.endedBy !== 'here');
}
