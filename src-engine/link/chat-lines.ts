import type { ChatEvent } from '../../src-core/index.js';
import type { SnapshotStore } from '../state/snapshot-store.js';

/** A link's chat, onto the device's conversation: lines received, and how sent ones fared. */
export function recordChat(store: SnapshotStore, peerId: string, event: ChatEvent): void {
  switch (event.type) {
    case 'text-received':
      store.appendLine(peerId, { id: event.id, direction: 'in', body: event.body, at: event.receivedAt, delivery: 'received' });
      return;
    case 'text-delivered':
    case 'text-failed': {
      const delivery = event.type === 'text-delivered' ? 'delivered' : 'failed';
      store.patchConversation(peerId, (c) => ({
        ...c,
        lines: c.lines.map((l) => (l.id === event.id && l.direction === 'out' ? { ...l, delivery } : l)),
      }));
      return;
    }
    case 'opened':
    case 'closed':
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
