import { z } from 'zod';
import { ManifestEntry, MAX_CHUNK_BYTES, MAX_TRANSFER_ENTRIES } from '../../src-core/index.js';
import type { FerryMethod } from '../preload/channels.js';

const SinkId = z.string().regex(/^[a-z2-7]{16}$/, 'Unknown transfer.');
const FileIndex = z.number().int().nonnegative().max(MAX_TRANSFER_ENTRIES - 1);
const ByteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Chunk = z.instanceof(Uint8Array).refine((b) => b.length <= MAX_CHUNK_BYTES, 'A chunk is at most 1 MiB.');

/** Device names: what a person would type, nothing that could hide or spoof text. */
export const DeviceName = z
  .string()
  .trim()
  .min(1, 'A device name cannot be empty.')
  .max(64, 'A device name can have at most 64 characters.')
  .refine((s) => !/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(s), 'A device name cannot contain control or invisible characters.');

/** Argument schemas per method, checked in main before any handler runs. */
export const IPC_ARGUMENTS = {
  getSignalingConfig: z.tuple([]),
  getDeviceInfo: z.tuple([]),
  setDeviceName: z.tuple([DeviceName]),
  getSettings: z.tuple([]),
  getIdentity: z.tuple([]),
  signSession: z.tuple([z.string().max(4096).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 expected'), z.enum(['initiator', 'responder'])]),
  getDownloadDir: z.tuple([]),
  checkSpace: z.tuple([ByteCount]),
  readClipboard: z.tuple([]),
  writeClipboard: z.tuple([z.string().max(100_000)]),
  // The store checks every field and answers with a message per field; here only the shape.
  updateSettings: z.tuple([z.record(z.string().max(64), z.unknown()).refine((o) => Object.keys(o).length <= 32, 'Too many settings at once.')]),
  chooseDownloadDir: z.tuple([]),
  showInFolder: z.tuple([z.string().min(1).max(8192)]),
  notify: z.tuple([z.string().max(200), z.string().max(1000)]),
  setProgress: z.tuple([z.number().min(0).max(1).nullable()]),
  getLanStatus: z.tuple([]),
  getIceServers: z.tuple([]),
  setRecentTransfers: z.tuple([
    z
      .array(
        z.strictObject({
          title: z.string().max(300),
          peerName: z.string().max(100),
          direction: z.enum(['in', 'out']),
          state: z.enum(['active', 'done', 'failed', 'cancelled', 'declined']),
        }),
      )
      .max(5),
  ]),
  receiveStart: z.tuple([z.array(ManifestEntry).min(1).max(MAX_TRANSFER_ENTRIES), ByteCount]),
  receiveWrite: z.tuple([SinkId, FileIndex, ByteCount, Chunk]),
  receiveFinalize: z.tuple([SinkId, FileIndex]),
  receiveAbort: z.tuple([SinkId]),
  listenPairingLinks: z.tuple([]),
} as const satisfies Record<FerryMethod, z.ZodTuple>;
