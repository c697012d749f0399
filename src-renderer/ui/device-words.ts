import type { Conversation, Presence } from '../../src-engine/index';

export const CONNECTION_WORDS: Record<Conversation['state'], string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  closed: 'Disconnected',
  failed: 'Connection failed',
};

/** A paired device's presence in words, with the next try counted down. */
export function presenceWords(presence: Presence | undefined, now: number): string {
  switch (presence?.kind) {
    case undefined:
    case 'checking':
      return 'Looking for it…';
    case 'online':
      return 'Online';
    case 'offline':
      return presence.nextCheckAt === undefined ? 'Offline' : `Offline — trying again in ${Math.max(1, Math.ceil((presence.nextCheckAt - now) / 1000))} s`;
    case 'unpaired-there':
      return presence.message;
    default: {
      const unreachable: never = presence;
      return unreachable;
    }
  }
}

export function presenceTone(presence: Presence | undefined): 'ok' | 'busy' | 'bad' {
  switch (presence?.kind) {
    case 'online':
      return 'ok';
    case 'unpaired-there':
      return 'bad';
    case undefined:
    case 'checking':
    case 'offline':
      return 'busy';
    default: {
      const unreachable: never = presence;
      return unreachable;
    }
  }
}
