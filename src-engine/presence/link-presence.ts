import type { LinkState } from '../link/peer-link.js';
import type { PresenceTracker } from './presence.js';

/** What a link to a device says about its presence (every link counts, a chat's or presence's own). */
export function reportLinkState(presence: PresenceTracker, peerId: string, state: LinkState, detail: { error?: string; code?: string }): void {
  switch (state) {
    case 'open':
      presence.linkOpened(peerId);
      return;
    case 'connecting':
      presence.linkConnecting(peerId);
      return;
    case 'closed':
    case 'failed':
      presence.linkEnded(peerId, detail.code === 'AUTH_UNPAIRED' ? { unpairedThere: detail.error ?? 'The other device has unpaired this one.' } : {});
      return;
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}
