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
  readClipboard: z.tuple([]),
  writeClipboard: z.tuple([z.string().max(100_000)]),
  // The store checks every field and answers with a message per field; here only the shape.
  chooseDownloadDir: z.tuple([]),
  restartApp: z.tuple([]),
  showInFolder: z.tuple([z.string().min(1).max(8192)]),
  openSavedFile: z.tuple([z.string().min(1).max(8192)]),
  pickFolderToSend: z.tuple([]),
  receiveStart: z.tuple([z.array(ManifestEntry).min(1).max(MAX_TRANSFER_ENTRIES), ByteCount]),
  receiveWrite: z.tuple([SinkId, FileIndex, ByteCount, Chunk]),
  receiveFinalize: z.tuple([SinkId, FileIndex]),
  receiveAbort: z.tuple([SinkId]),
  listenPairingLinks: z.tuple([]),
  grantPaths: z.tuple([
    z
      .array(z.string().min(2).max(8192).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'An absolute path expected.'))
      .min(1)
      .max(10_000),
  ]),
} as const satisfies Record<FerryMethod, z.ZodTuple>;
