import { z } from 'zod';
import { DELIVERY_MODES, DEVICE_KINDS } from '../../src-core/index.js';
import { DeviceName } from '../ipc/contract.js';
import type { FerrySettings } from '../preload/api.js';

/** Bumped when the file's shape changes; `migrate` lifts older files to it. */
export const SETTINGS_VERSION = 1;

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'Enter a URL that starts with http:// or https://, such as https://signal.example.org/.');

const iceUrl = z
  .string()
  .trim()
  .max(2048)
  .regex(/^(stun|stuns|turn|turns):[^\s]+$/, 'An ICE server URL starts with stun:, stuns:, turn: or turns:.');

const IceServer = z
  .strictObject({
    urls: z.array(iceUrl).min(1, 'Give the server at least one URL.').max(8),
    username: z.string().max(512).optional(),
    credential: z.string().max(512).optional(),
  })
  .refine((server) => !server.urls.some((u) => u.startsWith('turn')) || (server.username !== undefined && server.credential !== undefined), {
    message: 'A TURN server needs a username and a credential.',
  });

/** Peer ids as the signaling server knows them (SPEC.md, "Device ids"). */
const PeerIdSchema = z.string().regex(/^ferry-[a-z2-7]{16}$/, 'Not a Ferry device id.');

export const SettingsSchema = z.strictObject({
  version: z.literal(SETTINGS_VERSION),
  deviceName: DeviceName,
  /** Absolute; null means the OS Downloads folder. */
  downloadDir: z
    .string()
    .max(4096)
    .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'Choose a folder (an absolute path).')
    .nullable(),
  signaling: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('built-in') }),
    z.strictObject({ kind: z.literal('custom'), url: httpUrl, token: z.string().max(256).optional() }),
  ]),
  iceServers: z.array(IceServer).max(8, 'At most 8 ICE servers.'),
  relayOnly: z.boolean(),
  transferMode: z.enum(['automatic', ...DELIVERY_MODES]),
  autoAcceptTrusted: z.boolean(),
  trustedDevices: z
    .array(
      z.strictObject({
        peerId: PeerIdSchema,
        name: z.string().max(64),
        since: z.number().int().nonnegative(),
        /** Base64 Ed25519 key, for devices paired by code (trust tied to the key, not the id). */
        publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'Not an identity key.').optional(),
        /** What it runs Ferry as, as its last session said: its icon while it is offline. */
        kind: z.enum(DEVICE_KINDS).optional(),
      }),
    )
    .max(256, 'At most 256 trusted devices.'),
  theme: z.enum(['system', 'light', 'dark']),
  // Optional: files written before it existed stay valid (the default applies).
  keepInterruptedDays: z.number().int('Whole days.').min(1, 'At least a day.').max(365, 'At most a year.').optional(),
  welcomed: z.boolean().optional(),
});

// The preload restates the type without imports; both must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const settingsTypesAgree: Same<z.infer<typeof SettingsSchema>, FerrySettings> = true;

/** What a user may change: everything but the version. */
export const SettingsPatchSchema = SettingsSchema.omit({ version: true }).partial();

export function defaultSettings(deviceName: string): FerrySettings {
  const name = DeviceName.safeParse(deviceName);
  return {
    version: SETTINGS_VERSION,
    deviceName: name.success ? name.data : 'Ferry device',
    downloadDir: null,
    signaling: { kind: 'built-in' },
    iceServers: [],
    relayOnly: false,
    transferMode: 'automatic',
    autoAcceptTrusted: true,
    trustedDevices: [],
    theme: 'system',
  };
}

/**
 * Lifts a file written by an older Ferry to the current shape. There is one version so far; a
 * newer file (a downgrade) is not understood and the caller must not overwrite it.
 */
export function migrate(raw: unknown): { settings: unknown } | { newer: number } {
  if (typeof raw !== 'object' || raw === null) return { settings: raw };
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && version > SETTINGS_VERSION) return { newer: version };
  return { settings: raw };
}

/** zod issues as "field → message" for the settings form (first message per field). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'settings';
    out[field] ??= issue.message;
  }
  return out;
}
