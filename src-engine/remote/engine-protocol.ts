import { z } from 'zod';
import type { Engine } from '../engine.js';

/*
 * What a view may ask of an engine across a port (SPEC.md, "The engine's port"): one entry per
 * command, its arguments' schema. The engine checks every argument again (ids, names, codes);
 * these bound shapes and sizes so nothing unbounded reaches it.
 */

const PeerId = z.string().min(1).max(200);
const TransferKey = z.string().min(1).max(64);
/** Files and folders, as absolute paths the host resolved from a drop or a picker. */
const Paths = z.array(z.string().min(1).max(8192)).min(1).max(10_000);
const SettingsPatch = z.record(z.string().max(64), z.unknown()).refine((o) => Object.keys(o).length <= 32, 'Too many settings at once.');

export const ENGINE_COMMANDS = {
  retrySignalingNow: z.tuple([]),
  connectTo: z.tuple([PeerId]),
  checkPresenceNow: z.tuple([PeerId]),
  removeConversation: z.tuple([PeerId]),
  unpairDevice: z.tuple([PeerId]),
  renameDevice: z.tuple([PeerId, z.string().max(200)]),
  forgetDevice: z.tuple([PeerId]),
  saveSettings: z.tuple([SettingsPatch]),
  acceptTransfer: z.tuple([PeerId, TransferKey, z.object({ alwaysAccept: z.boolean().optional() }).strict()]),
  declineTransfer: z.tuple([PeerId, TransferKey]),
  cancelTransfer: z.tuple([PeerId, TransferKey]),
  discardTransfer: z.tuple([PeerId, TransferKey]),
  pauseTransfer: z.tuple([PeerId, TransferKey]),
  resumeTransfer: z.tuple([PeerId, TransferKey]),
  removeHistoryEntry: z.tuple([z.string().min(1).max(300)]),
  clearHistory: z.tuple([]),
  showPairingCode: z.tuple([]),
  enterPairingCode: z.tuple([z.string().max(200)]),
  cancelPairing: z.tuple([]),
  sendPathsWithCode: z.tuple([Paths]),
  receiveWithCode: z.tuple([z.string().max(200)]),
  cancelCodeTransfer: z.tuple([]),
  sendText: z.tuple([PeerId, z.string().max(100_000)]),
  /** Read-only: the link with a device as it is made now (diagnostics; tests check striping with it). */
  linkDiagnostics: z.tuple([PeerId]),
  /** Offers files to a device, named by path; the host reads them (not an Engine method). */
  sendPaths: z.tuple([PeerId, Paths]),
} as const;

export type EngineCommandName = keyof typeof ENGINE_COMMANDS;
export type EngineCommandArgs<N extends EngineCommandName> = z.infer<(typeof ENGINE_COMMANDS)[N]>;
export type EngineCommandResult<N extends EngineCommandName> = N extends keyof Engine
  ? Engine[N] extends (...args: never[]) => infer R
    ? Awaited<R>
    : never
  : void;

/** The note that carries the engine's state to its views, whole, whenever it changes. */
export const SNAPSHOT_NOTE = 'snapshot';
/** The request a view makes first: the snapshot as it is now. */
export const HELLO_REQUEST = 'hello';
