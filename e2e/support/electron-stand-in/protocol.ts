/*
 * The stand-in of Electron has two ends: the fake `electron` module in the app's own process
 * (fake-electron.ts), and, in the test process, the window it opens in Chromium
 * (renderer-bridge.ts). They speak over a Unix socket (a path works across the lab's network
 * namespaces): each message a 4-byte big-endian length and the message as v8.serialize writes it
 * (structured clone, like Electron's IPC). FERRY_STAND_IN_DEBUG=1 logs every message on stderr.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';

/** What the app was started with: the environment variable FERRY_ELECTRON_STAND_IN, as JSON. */
export interface StandInConfig {
  /** The Unix socket the test listens on. */
  socket: string;
  /** app.getPath('userData') and app.getPath('downloads'). */
  userData: string;
  downloads: string;
  /** app.getAppPath(): the folder with the app's package.json. */
  appPath: string;
}

export const STAND_IN_ENV = 'FERRY_ELECTRON_STAND_IN';

/** With FERRY_STAND_IN_DEBUG set: one line on stderr per message, from `side`. */
export function debugLog(side: string, ...args: unknown[]): void {
  if (!process.env.FERRY_STAND_IN_DEBUG) return;
  const text = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)?.slice(0, 200))).join(' ');
  process.stderr.write(`${new Date().toISOString()} stand-in ${side}: ${text}\n`);
}

/** One call into the stand-in, as the app made it (functions appear as "[function]"). */
export interface StandInRecord {
  call: string;
  args: unknown[];
  /** Which window or utility process, when it is about one. */
  windowId?: number;
  pid?: number;
}

/** What happened in the app's process, or what it asks of the window. */
export type AppMessage =
  | { t: 'record'; record: StandInRecord }
  | { t: 'window'; windowId: number; options: unknown }
  | { t: 'load'; windowId: number; url: string }
  | { t: 'close-window'; windowId: number }
  | { t: 'send'; windowId: number; channel: string; args: unknown[] }
  | { t: 'post-ports'; windowId: number; channel: string; message: unknown; portIds: number[] }
  | { t: 'port-message'; portId: number; data: unknown }
  | { t: 'port-close'; portId: number }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: string };

/** The details Electron's webRequest.onHeadersReceived listener gets (the part the window knows). */
export interface HeadersDetails {
  url: string;
  method: string;
  resourceType: string;
  statusCode: number;
  statusLine: string;
  responseHeaders: Record<string, string[]>;
}

/**
 * The test playing Electron's part: asking for a permission, a navigation, a new window; each
 * answered with what the app's own handlers decided.
 */
export type Probe =
  | { kind: 'permission-request'; windowId: number; permission: string }
  | { kind: 'permission-check'; windowId: number; permission: string; origin: string }
  | { kind: 'will-navigate'; windowId: number; url: string }
  | { kind: 'will-attach-webview'; windowId: number }
  | { kind: 'window-open'; windowId: number; url: string };

/** What the window did, or asks of the app. */
export type WindowMessage =
  | { t: 'did-start-navigation'; windowId: number; url: string }
  | { t: 'dom-ready'; windowId: number }
  | { t: 'did-finish-load'; windowId: number; url: string }
  | { t: 'did-fail-load'; windowId: number; url: string; error: string }
  | { t: 'invoke'; id: number; windowId: number; channel: string; args: unknown[]; frameUrl: string; isMainFrame: boolean }
  | { t: 'headers'; id: number; windowId: number; details: HeadersDetails }
  | { t: 'port-message'; portId: number; data: unknown }
  | { t: 'port-close'; portId: number }
  | { t: 'probe'; id: number; probe: Probe };

/** Writes one message. */
export function writeMessage(socket: Socket, message: AppMessage | WindowMessage): void {
  const body = serialize(message);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  socket.write(Buffer.concat([header, body]));
}

/** Calls `onMessage` with each message that arrives on `socket`. */
export function readMessages<T>(socket: Socket, onMessage: (message: T) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const message = deserialize(buffered.subarray(4, 4 + length)) as T;
      buffered = buffered.subarray(4 + length);
      onMessage(message);
    }
  });
}

/** A value as a record keeps it: plain data, functions as "[function]", no cycles. */
export function plain(value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value === 'function') return '[function]';
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  const result = Array.isArray(value) ? value.map((item) => plain(item, seen)) : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item, seen)]));
  seen.delete(value);
  return result;
}
