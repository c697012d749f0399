import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DeliveryMode, TransferMessage } from '../../../src-core/index.js';
import type { ConformancePeer, TransferOutcome } from './peer.js';

/*
 * The conformance peer protocol over JSON lines, so the suite can drive a peer that runs in a
 * child process on a lab host exactly as it drives one in its own process.
 */

type Request = { id: number; method: keyof ConformancePeer; params: unknown[] };
type Response = { id: number; result?: unknown; error?: string };

/** Serves `peer` on a child process's stdin/stdout. */
export function serveConformancePeer(peer: ConformancePeer, input: Readable, output: Writable): void {
  createInterface({ input }).on('line', (line) => {
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      return;
    }
    const reply = (response: Response) => output.write(`${JSON.stringify({ rpc: response })}\n`);
    const params = request.params.map(revive);
    const method = peer[request.method] as unknown as (...args: unknown[]) => Promise<unknown>;
    if (typeof method !== 'function' || request.method === 'name' || request.method === 'downloadDir') {
      reply({ id: request.id, error: `no method ${String(request.method)}` });
      return;
    }
    method.apply(peer, params).then(
      (result) => reply({ id: request.id, result }),
      (error: unknown) => reply({ id: request.id, error: (error as Error)?.message ?? String(error) }),
    );
  });
}

/** A conformance peer in a child process: every call is a request line, every answer a response line. */
export class RemoteConformancePeer implements ConformancePeer {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    readonly name: string,
    readonly downloadDir: string,
    private readonly write: (line: string) => void,
    onLine: (listener: (line: string) => void) => void,
  ) {
    onLine((line) => {
      if (!line.startsWith('{"rpc":')) return;
      const { rpc } = JSON.parse(line) as { rpc: Response };
      const waiter = this.waiting.get(rpc.id);
      if (!waiter) return;
      this.waiting.delete(rpc.id);
      if (rpc.error !== undefined) waiter.reject(new Error(`${this.name}: ${rpc.error}`));
      else waiter.resolve(rpc.result);
    });
  }

  private call<T>(method: keyof ConformancePeer, ...params: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.write(`${JSON.stringify({ id, method, params: params.map(encode) })}\n`);
    });
  }

  send(paths: string[], options: { mode: DeliveryMode; chunkSize?: number }): Promise<number> {
    return this.call('send', paths, options);
  }
  outcome(transferId: number | 'incoming'): Promise<TransferOutcome> {
    return this.call('outcome', transferId);
  }
  bytesSent(transferId: number): Promise<number> {
    return this.call('bytesSent', transferId);
  }
  cancel(transferId: number | 'incoming'): Promise<void> {
    return this.call('cancel', transferId);
  }
  setPolicy(policy: 'accept' | 'decline'): Promise<void> {
    return this.call('setPolicy', policy);
  }
  incomingCount(): Promise<number> {
    return this.call('incomingCount');
  }
  injectControl(message: TransferMessage): Promise<void> {
    return this.call('injectControl', message);
  }
  injectDataOnAccept(mode: DeliveryMode, frames: Uint8Array[]): Promise<void> {
    return this.call('injectDataOnAccept', mode, frames);
  }
  controlSeen(): Promise<TransferMessage[]> {
    return this.call('controlSeen');
  }
  closeControl(): Promise<void> {
    return this.call('closeControl');
  }
  close(): Promise<void> {
    return this.call('close');
  }
}

/** Byte arrays travel as {bytes: base64}; arrays of them too. */
function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  return value;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object' && 'bytes' in value && typeof (value as { bytes: unknown }).bytes === 'string') {
    return new Uint8Array(Buffer.from((value as { bytes: string }).bytes, 'base64'));
  }
  return value;
}
