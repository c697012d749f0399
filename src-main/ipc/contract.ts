import { z } from 'zod';
import type { FerryMethod } from '../preload/channels.js';

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
} as const satisfies Record<FerryMethod, z.ZodTuple>;
