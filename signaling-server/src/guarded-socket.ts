import WebSocket from 'ws';
import type { LeaveReason } from './events.js';
import type { AddressState } from './limits.js';

/** The server side of what a socket needs on its message path; one per server. */
export interface SocketGuard {
  /** Whether this message may go on to `peer` (false: over the rate; the socket is being cut off). */
  admit(socket: GuardedSocket): boolean;
  /** After `peer` handled the message (synchronously, relay included). */
  handled(startedAt: number): void;
  readonly timesRelays: boolean;
}

/**
 * The server's WebSocket class (ws's `WebSocket` option), so every message passes our checks
 * before `peer` parses it, without `peer` knowing: `peer` attaches its own "message" listener,
 * and this class decides whether that listener hears a frame at all. Per-socket state lives in
 * plain fields: nothing is allocated per message.
 */
export class GuardedSocket extends WebSocket {
  /** Set when the gate accepts the socket; refused sockets never deliver a message. */
  guard: SocketGuard | undefined = undefined;
  address: AddressState | undefined = undefined;
  /** Connection number, for logs. */
  conn = 0;
  /** Heard from (a message or a pong) since the heartbeat last looked. */
  heard = true;
  /** Pinged when last looked at, because it was silent: no answer by the next look ends it. */
  pinged = false;
  /** Set when the server ends the socket on purpose; tells `left` why. */
  endReason: LeaveReason | undefined = undefined;

  // EventEmitter's emit is variadic; ws's events carry at most two arguments.
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args);
    this.heard = true;
    const guard = this.guard;
    if (guard === undefined || this.endReason !== undefined || !guard.admit(this)) return false;
    const startedAt = guard.timesRelays ? performance.now() : 0;
    const heard = super.emit(event, ...args);
    guard.handled(startedAt);
    return heard;
  }
}

/** ws's "pong" listener; a plain function so sockets share it. */
export function markAlive(this: WebSocket): void {
  (this as GuardedSocket).heard = true;
}
