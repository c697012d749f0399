/*
 * Test helpers (excluded from the build): raw WebSocket clients speaking the PeerJS protocol,
 * and a log capture. Real sockets, real servers; every test closes what it opens.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import type { SignalingServer } from '../server.js';

export interface PeerMessage {
  type: string;
  src?: string;
  dst?: string;
  payload?: { msg?: string } & Record<string, unknown>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The n-th well-formed Ferry peer id (distinct per prefix letter and n). */
export function peerId(n: number, prefix = 'a'): string {
  let digits = '';
  let rest = n;
  for (let i = 0; i < 15; i++) {
    digits = (BASE32[rest % 32] as string) + digits;
    rest = Math.floor(rest / 32);
  }
  return `ferry-${prefix}${digits}`;
}

export interface RawPeerOptions {
  key?: string;
  /** PeerJS's "token" query parameter (its session token, or our access token). */
  token?: string;
  origin?: string;
  /** Source address: 127.0.0.2 etc. are other clients as far as per-address limits go. */
  localAddress?: string;
  autoPong?: boolean;
  headers?: Record<string, string>;
  /** Path the PeerJS API is mounted at. */
  path?: string;
}

/** One PeerJS-protocol WebSocket client, with its messages in order. */
export class RawPeer {
  private readonly inbox: PeerMessage[] = [];
  private readonly waiters: Array<(m: PeerMessage) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Messages received so far (the inbox keeps unread ones). */
  received = 0;

  private constructor(
    readonly id: string,
    readonly socket: WebSocket,
  ) {
    socket.on('message', (data: Buffer) => {
      this.received++;
      const message = JSON.parse(data.toString()) as PeerMessage;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.inbox.push(message);
    });
    socket.on('error', () => {}); // surfaced through "closed"
    this.closed = new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  static connect(port: number, id: string, options: RawPeerOptions = {}): RawPeer {
    const query = new URLSearchParams({ key: options.key ?? 'peerjs', id, token: options.token ?? 'session-token' });
    const socket = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/'}peerjs?${query}`, {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      autoPong: options.autoPong ?? true,
    });
    const peer = new RawPeer(id, socket);
    open.add(peer);
    return peer;
  }

  /** The next message, in order. */
  next(timeoutMs = 3000): Promise<PeerMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.id}: no message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (m: PeerMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves with whatever arrives within `ms` (for "nothing more arrives" checks). */
  async drain(ms: number): Promise<PeerMessage[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbox.splice(0);
  }

  send(message: Record<string, unknown> | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  close(): void {
    this.socket.terminate();
  }
}

const open = new Set<RawPeer>();
const servers = new Set<SignalingServer>();

/** Registers a server for cleanup. */
export function track(server: SignalingServer): SignalingServer {
  servers.add(server);
  return server;
}

/** For afterEach: terminates every client and closes every server. */
export async function cleanup(): Promise<void> {
  for (const peer of open) peer.close();
  open.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
}

/** Registers `id` and expects OPEN. */
export async function registered(port: number, id: string, options: RawPeerOptions = {}): Promise<RawPeer> {
  const peer = RawPeer.connect(port, id, options);
  const first = await peer.next();
  if (first.type !== 'OPEN') throw new Error(`${id}: expected OPEN, got ${JSON.stringify(first)}`);
  return peer;
}

/** Connects and expects the server to refuse: returns the message and the close frame. */
export async function refused(port: number, id: string, options: RawPeerOptions = {}) {
  const peer = RawPeer.connect(port, id, options);
  const message = await peer.next();
  const close = await peer.closed;
  return { message, close };
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pino logger at trace level whose output is kept as text. */
export function captureLogs(): { logger: Logger; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  return {
    logger,
    text: () => text,
    lines: () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
