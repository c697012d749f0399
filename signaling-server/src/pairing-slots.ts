import { createHash } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The peer ids pairing codes route to (src-core/pairing/code.ts, `pairingPeerId`; SPEC.md, "The
 * pairing connection"): "ferry-" + the low 5 bits of the first 16 bytes of
 * SHA-256("ferry-pairing-slot-v1:<slot>") as base32, for slots 100-999. A device showing a code
 * registers one of these beside its own id; with per-device tokens it proves with its own.
 */
const SLOT_IDS: ReadonlySet<string> = new Set(
  Array.from({ length: 900 }, (_, i) => {
    const digest = createHash('sha256').update(`ferry-pairing-slot-v1:${i + 100}`).digest();
    let id = '';
    for (let b = 0; b < 16; b++) id += BASE32[(digest[b] as number) & 31];
    return `ferry-${id}`;
  }),
);

export function isPairingSlotId(peerId: string): boolean {
  return SLOT_IDS.has(peerId);
}
