import { decodeBase64, keyFingerprintWords } from '../../src-core/index';
import type { DeviceKind } from '../../src-core/index';
import type { Conversation, EngineSnapshot, Presence } from '../../src-engine/index';

/**
 * One tile of the device grid: every device this one knows of, once — paired (with presence),
 * connected or tried this session, on this LAN server, or accepted from before ("always accept").
 */
export interface DeviceEntry {
  peerId: string;
  /** Its chosen name: what pairing stored, what it said in an authenticated session, or its signed name card. */
  name: string;
  /** False for a nearby device never met: the name is a placeholder, not its own. */
  named: boolean;
  /** Paired by code: its identity key was proven then, and every session checks it. */
  paired: boolean;
  /** The words of the key it proved: from pairing, or from this session's authentication. */
  keyWords: string[] | undefined;
  conversation: Conversation | undefined;
  presence: Presence | undefined;
  nearby: boolean;
  /** What it runs Ferry as: its session says so; a trusted device's last session, while it is away. */
  kind: DeviceKind | undefined;
}

/** A device of the LAN server that has not said its name yet. */
export const UNNAMED_DEVICE = 'A Ferry device';

/**
 * In a stable order (tiles must not jump about as states change): paired devices, then the
 * others as they were first met this session, then nearby ones, then known ones.
 */
export function deviceEntries(snapshot: EngineSnapshot): DeviceEntry[] {
  const trusted = snapshot.settings?.trustedDevices ?? [];
  const byId = new Map<string, DeviceEntry>();
  const conversations = new Map(snapshot.conversations.map((c) => [c.peerId, c]));
  const nearby = new Set(snapshot.nearby);
  const add = (peerId: string, name: string | undefined, paired: boolean, keyWords: string[] | undefined) => {
    if (byId.has(peerId)) return;
    const conversation = conversations.get(peerId);
    // What this device named it, else what it said in an authenticated session, else its card.
    const ownName = name ?? conversation?.peerName ?? snapshot.nearbyNames[peerId];
    byId.set(peerId, {
      peerId,
      name: ownName ?? (nearby.has(peerId) ? UNNAMED_DEVICE : peerId),
      named: ownName !== undefined,
      paired,
      keyWords: keyWords ?? conversation?.keyWords,
      conversation,
      presence: snapshot.presence[peerId],
      nearby: nearby.has(peerId),
      kind: conversation?.peerKind ?? trusted.find((d) => d.peerId === peerId)?.kind,
    });
  };
  for (const d of trusted) if (d.publicKey !== undefined) add(d.peerId, d.name, true, keyFingerprintWords(decodeBase64(d.publicKey)));
  for (const c of snapshot.conversations) add(c.peerId, trusted.find((d) => d.peerId === c.peerId)?.name, false, undefined);
  for (const id of snapshot.nearby) add(id, trusted.find((d) => d.peerId === id)?.name, false, undefined);
  for (const d of trusted) add(d.peerId, d.name, false, undefined);
  return [...byId.values()];
}

/** Connected now: files and messages can go. */
export function isOpen(entry: DeviceEntry): boolean {
  return entry.conversation?.state === 'open';
}
