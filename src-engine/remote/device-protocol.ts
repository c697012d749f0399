import { z } from 'zod';
import { decodeBase64, DELIVERY_MODES, encodeBase64, NameCardSchema, RESUME_KEY_PATTERN } from '../../src-core/index.js';
import { HISTORY_MAX, HISTORY_SAVED_PATHS, type HistoryEntry } from '../contract/device.js';
import type { EngineStart } from '../engine.js';
import type { DevicePort } from '../ports/host.js';
import type { PortLike } from './port.js';
import { handler, type RpcHandlers, RpcPeer } from './rpc.js';

/*
 * The engine's host process and main, across a port (SPEC.md, "The engine's port"): the engine
 * asks main for what main keeps (settings, the identity key's signatures, TURN credentials, the
 * desktop); main starts the engine and tells it when settings change. Bytes travel as base64.
 */

const Role = z.enum(['initiator', 'responder']);
const ResumeKey = z.string().regex(RESUME_KEY_PATTERN);
const PeerIdSchema = z.string().regex(/^ferry-[a-z2-7]{16}$/);
export const OutgoingRecordSchema = z.strictObject({
  resumeKey: ResumeKey,
  peerId: PeerIdSchema,
  peerName: z.string().max(200),
  paths: z.array(z.string().min(1).max(8192)).min(1).max(10_000),
  mode: z.enum(DELIVERY_MODES),
  createdAt: z.number().int().nonnegative(),
});

export const HistoryEntrySchema = z.strictObject({
  id: z.string().min(1).max(300),
  peerId: PeerIdSchema,
  peerName: z.string().max(200),
  direction: z.enum(['in', 'out']),
  title: z.string().max(300),
  fileCount: z.number().int().nonnegative(),
  totalBytes: z.number().nonnegative(),
  state: z.enum(['done', 'failed', 'cancelled', 'declined']),
  endedBy: z.enum(['here', 'there']).optional(),
  error: z.string().max(1000).optional(),
  savedPaths: z.array(z.string().min(1).max(8192)).max(HISTORY_SAVED_PATHS),
  endedAt: z.number().int().nonnegative(),
});

export const DEVICE_CALLS = {
  deviceInfo: z.tuple([]),
  downloadDir: z.tuple([]),
  updateSettings: z.tuple([z.record(z.string().max(64), z.unknown()).refine((o) => Object.keys(o).length <= 32, 'Too many settings at once.')]),
  signSession: z.tuple([z.string().max(4096).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 expected'), Role]),
  nameCard: z.tuple([]),
  iceServers: z.tuple([]),
  lanStatus: z.tuple([]),
  notify: z.tuple([z.string().max(200), z.string().max(1000)]),
  setProgress: z.tuple([z.number().min(0).max(1).nullable()]),
  setRecentTransfers: z.tuple([
    z
      .array(
        z.strictObject({
          title: z.string().max(300),
          peerName: z.string().max(100),
          direction: z.enum(['in', 'out']),
          state: z.enum(['active', 'interrupted', 'done', 'failed', 'cancelled', 'declined']),
        }),
      )
      .max(5),
  ]),
  /** A received file is verified and under its final name: main may reveal it ("Show in folder"). */
  fileSaved: z.tuple([z.string().min(1).max(8192)]),
  /** An outgoing transfer to keep until it ends for good (SPEC.md, "Resume"); main grants its paths again at the next start. */
  keepOutgoing: z.tuple([OutgoingRecordSchema]),
  forgetOutgoing: z.tuple([ResumeKey]),
  /** The history of ended transfers, whole, newest first: main keeps it for the next start. */
  keepHistory: z.tuple([z.array(HistoryEntrySchema).max(HISTORY_MAX)]),
} as const;

export type DeviceCallName = keyof typeof DEVICE_CALLS;

/** Main → the engine's host: what only main can vouch for. */
export const ENGINE_HOST_CALLS = {
  /** Files and folders a person picked or dropped (absolute paths): the only ones the engine may send. */
  grantPaths: z.tuple([z.array(z.string().min(1).max(8192)).min(1).max(10_000)]),
  /** Main's watchdog: an engine whose JavaScript stops answering is started again. */
  ping: z.tuple([]),
} as const;

/** Engine → main: listening now (main's messages before this could be lost): send the start. */
export const READY_NOTE = 'ready';
/** Main → engine: start with this device (once), and settings as they change. */
export const START_NOTE = 'start';
export const SETTINGS_NOTE = 'settings';

/** The engine's side: main's services as the engine's DevicePort, plus what only the host tells main. */
export function deviceOverPort(rpc: RpcPeer): Required<DevicePort> & { fileSaved(path: string): Promise<unknown> } {
  const call = (name: DeviceCallName, ...args: unknown[]) => rpc.call(name, args);
  return {
    deviceInfo: () => call('deviceInfo') as ReturnType<DevicePort['deviceInfo']>,
    downloadDir: () => call('downloadDir') as ReturnType<DevicePort['downloadDir']>,
    updateSettings: (patch) => call('updateSettings', patch) as ReturnType<DevicePort['updateSettings']>,
    signSession: async (transcript, role) => decodeBase64((await call('signSession', encodeBase64(transcript), role)) as string),
    // Checked on arrival like everything main says; the engine checks the signature where it matters (others' cards).
    nameCard: async () => NameCardSchema.parse(await call('nameCard')),
    iceServers: () => call('iceServers') as ReturnType<DevicePort['iceServers']>,
    lanStatus: () => call('lanStatus') as ReturnType<DevicePort['lanStatus']>,
    notify: (title, body) => call('notify', title, body),
    setProgress: (fraction) => call('setProgress', fraction),
    setRecentTransfers: (recent) => call('setRecentTransfers', recent),
    fileSaved: (path) => call('fileSaved', path),
    keepOutgoing: (record) => call('keepOutgoing', record),
    forgetOutgoing: (resumeKey) => call('forgetOutgoing', resumeKey),
    // JSON has no undefined: absent fields are dropped on the way, as the schema allows.
    keepHistory: (entries) => call('keepHistory', entries),
  };
}

/** Main's side: serves its services to the engine process, checked. */
export function serveDevice(port: PortLike, device: Required<DevicePort> & { fileSaved(path: string): unknown }): RpcPeer {
  const d = DEVICE_CALLS;
  const handlers = {
    deviceInfo: handler(d.deviceInfo, () => device.deviceInfo()),
    downloadDir: handler(d.downloadDir, () => device.downloadDir()),
    updateSettings: handler(d.updateSettings, (patch) => device.updateSettings(patch)),
    signSession: handler(d.signSession, async (transcript, role) => encodeBase64(await device.signSession(decodeBase64(transcript), role))),
    nameCard: handler(d.nameCard, () => device.nameCard()),
    iceServers: handler(d.iceServers, () => device.iceServers()),
    lanStatus: handler(d.lanStatus, () => device.lanStatus()),
    notify: handler(d.notify, (title, body) => device.notify(title, body)),
    setProgress: handler(d.setProgress, (fraction) => device.setProgress(fraction)),
    setRecentTransfers: handler(d.setRecentTransfers, (recent) => device.setRecentTransfers(recent)),
    fileSaved: handler(d.fileSaved, (path) => device.fileSaved(path)),
    keepOutgoing: handler(d.keepOutgoing, (record) => device.keepOutgoing(record)),
    forgetOutgoing: handler(d.forgetOutgoing, (resumeKey) => device.forgetOutgoing(resumeKey)),
    keepHistory: handler(d.keepHistory, (entries) => device.keepHistory(entries.map(fromWire))),
  } satisfies Record<DeviceCallName, unknown> as RpcHandlers;
  return new RpcPeer(port, handlers);
}

export type { EngineStart };

/** A history entry off the wire: optional fields back to explicit undefined. */
export function fromWire(entry: z.infer<typeof HistoryEntrySchema>): HistoryEntry {
  return { ...entry, endedBy: entry.endedBy, error: entry.error };
}
