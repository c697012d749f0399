import { z } from 'zod';
import { FerryError } from '../../src-core/index.js';
import type { PortLike } from './port.js';

/*
 * Requests with answers and one-way notes over a PortLike, in both directions. Every request's
 * arguments are checked against its schema before its handler runs; every failure is answered
 * as { code, message } (a throw across a port loses the error's shape).
 */

/** A failure that came across a port: the other side's code and words. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Requests in flight at once from one side; more is a runaway, refused. */
const MAX_PENDING = 4096;

const RpcMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), id: z.number().int().nonnegative(), name: z.string().max(64), args: z.array(z.unknown()).max(16) }),
  // An answer: ok with its value, or not with a code and words.
  z.object({ t: z.literal('res'), id: z.number().int().nonnegative(), ok: z.boolean(), value: z.unknown().optional(), code: z.string().max(64).optional(), message: z.string().max(4000).optional() }),
  z.object({ t: z.literal('note'), name: z.string().max(64), value: z.unknown() }),
]);

export interface RpcHandler {
  args: z.ZodTuple;
  // Arguments are checked against `args` first.
  run: (...args: never[]) => unknown;
}

/** A handler table: one entry per request name. */
export type RpcHandlers = Record<string, RpcHandler>;

/** Declares a handler whose `run` is typed by its argument schema. */
export function handler<T extends z.ZodTuple>(args: T, run: (...args: z.infer<T>) => unknown): RpcHandler {
  return { args, run: run as RpcHandler['run'] };
}

export class RpcPeer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  private readonly noteListeners = new Map<string, Set<(value: unknown) => void>>();
  private readonly stop: () => void;

  constructor(
    private readonly port: PortLike,
    private readonly handlers: RpcHandlers = {},
  ) {
    this.stop = port.onMessage((raw) => this.receive(raw));
  }

  call(name: string, args: readonly unknown[] = []): Promise<unknown> {
    if (this.pending.size >= MAX_PENDING) return Promise.reject(new RpcError('RPC_OVERLOADED', 'Too many requests are waiting for an answer.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.post({ t: 'req', id, name, args });
    });
  }

  note(name: string, value: unknown): void {
    this.port.post({ t: 'note', name, value });
  }

  onNote(name: string, listener: (value: unknown) => void): () => void {
    let listeners = this.noteListeners.get(name);
    if (!listeners) this.noteListeners.set(name, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** The other side is gone: every request still waiting fails. */
  close(reason = 'The other side of the port went away.'): void {
    this.stop();
    for (const { reject } of this.pending.values()) reject(new RpcError('RPC_CLOSED', reason));
    this.pending.clear();
  }

  private receive(raw: unknown): void {
    const parsed = RpcMessage.safeParse(raw);
    // A malformed message has no id to answer: it is dropped (the sender's bug, not ours to crash on).
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.t) {
      case 'req':
        void this.answer(message.id, message.name, message.args);
        return;
      case 'res': {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (!waiting) return;
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new RpcError(message.code ?? 'FAILED', message.message ?? 'The request failed.'));
        return;
      }
      case 'note':
        for (const listener of this.noteListeners.get(message.name) ?? []) listener(message.value);
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private async answer(id: number, name: string, rawArgs: unknown[]): Promise<void> {
    const entry = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
    if (!entry) {
      this.port.post({ t: 'res', id, ok: false, code: 'UNKNOWN_METHOD', message: `No such request: ${name.slice(0, 64)}.` });
      return;
    }
    const args = entry.args.safeParse(rawArgs);
    if (!args.success) {
      this.port.post({ t: 'res', id, ok: false, code: 'INVALID_ARGUMENT', message: z.prettifyError(args.error).slice(0, 1000) });
      return;
    }
    try {
      const value = await (entry.run as (...a: unknown[]) => unknown)(...(args.data as unknown[]));
      this.port.post({ t: 'res', id, ok: true, value: value ?? null });
    } catch (error) {
      const code = error instanceof FerryError || error instanceof RpcError ? error.code : 'FAILED';
      const message = error instanceof Error ? error.message : String(error);
      this.port.post({ t: 'res', id, ok: false, code, message: message.slice(0, 4000) });
    }
  }
}
