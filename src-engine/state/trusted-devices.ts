import { decodeBase64, type DeviceKind, FerryError, MAX_DEVICE_NAME_LENGTH } from '../../src-core/index.js';
import type { FerrySettings } from '../contract/device.js';

/** One entry of the settings' trusted devices: paired by code when it carries a key. */
export type TrustedDevice = FerrySettings['trustedDevices'][number];

/** The names people give devices: what the settings accept (the wire's limit). */
export const DEVICE_NAME_MAX = MAX_DEVICE_NAME_LENGTH;

/** Devices paired by code: they carry the identity key the pairing proved. */
export function pairedDevices(devices: readonly TrustedDevice[]): TrustedDevice[] {
  return devices.filter((d) => d.publicKey !== undefined);
}

/** The key a session with `peerId` must prove, if we paired with it. */
export function pairedKeyOf(devices: readonly TrustedDevice[], peerId: string): Uint8Array | undefined {
  const key = devices.find((d) => d.peerId === peerId)?.publicKey;
  return key ? decodeBase64(key) : undefined;
}

/** A fresh pairing replaces whatever was known of that device (an "always accept", an old key). */
export function withPaired(devices: readonly TrustedDevice[], paired: { peerId: string; name: string; publicKey: string }, now: number): TrustedDevice[] {
  return [...devices.filter((d) => d.peerId !== paired.peerId), { peerId: paired.peerId, name: paired.name.slice(0, DEVICE_NAME_MAX), since: now, publicKey: paired.publicKey }];
}

export function without(devices: readonly TrustedDevice[], peerId: string): TrustedDevice[] {
  return devices.filter((d) => d.peerId !== peerId);
}

/** Throws a FerryError in words for a name that cannot be kept. */
export function renamed(devices: readonly TrustedDevice[], peerId: string, rawName: string): TrustedDevice[] {
  const name = rawName.trim();
  if (name === '') throw new FerryError('NAME_INVALID', 'Give the device a name.');
  if (name.length > DEVICE_NAME_MAX) throw new FerryError('NAME_INVALID', `A name can have at most ${DEVICE_NAME_MAX} characters.`);
  if (!devices.some((d) => d.peerId === peerId)) throw new FerryError('PEER_ID_INVALID', 'That device is not paired with this one any more.');
  return devices.map((d) => (d.peerId === peerId ? { ...d, name } : d));
}

/** Keeps what a trusted device said it runs as (undefined: nothing to change, nothing saved). */
export function withKind(devices: readonly TrustedDevice[], peerId: string, kind: DeviceKind): TrustedDevice[] | undefined {
  const device = devices.find((d) => d.peerId === peerId);
  if (!device || device.kind === kind) return undefined;
  return devices.map((d) => (d === device ? { ...d, kind } : d));
}
