/*
 * Loaded with --import into a utility process the Electron stand-in forks (fake-electron.ts):
 * `process.parentPort` as Electron's utility process has it, over this Node process's IPC
 * channel. Messages wait until the first 'message' listener (as Electron queues them); ports that
 * come with a message are MessagePortMain-like handles, their messages carried over the same
 * channel by id, queued until start().
 */
import { EventEmitter } from 'node:events';
import { debugLog } from './protocol.js';

type FromMain = { standIn: 'parent'; data: unknown; ports: number[] } | { standIn: 'port'; id: number; data: unknown } | { standIn: 'port-close'; id: number };

const debug = (...args: unknown[]) => debugLog('utility process', ...args);
debug('loaded');
const send = (message: unknown) => {
  debug('->', message);
  if (process.connected) process.send?.(message);
};

class PortShim extends EventEmitter {
  private started = false;
  private closed = false;
  private readonly queue: unknown[] = [];

  constructor(private readonly id: number) {
    super();
  }

  postMessage(message: unknown): void {
    if (!this.closed) send({ standIn: 'port', id: this.id, data: message });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    ports.delete(this.id);
    send({ standIn: 'port-close', id: this.id });
  }

  /** @internal */
  receive(data: unknown): void {
    if (this.closed) return;
    if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }

  /** @internal The other end went away. */
  remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    ports.delete(this.id);
    this.emit('close');
  }
}

const ports = new Map<number, PortShim>();

class ParentPort extends EventEmitter {
  private readonly queue: Array<{ data: unknown; ports: PortShim[] }> = [];

  constructor() {
    super();
    this.on('newListener', (event: string | symbol) => {
      if (event !== 'message' || this.queue.length === 0) return;
      // Delivered once the listener is in (newListener runs before it is added).
      setImmediate(() => {
        for (const message of this.queue.splice(0)) this.emit('message', message);
      });
    });
  }

  postMessage(message: unknown): void {
    send({ standIn: 'parent', data: message });
  }

  /** @internal */
  receive(message: { data: unknown; ports: PortShim[] }): void {
    if (this.listenerCount('message') === 0 || this.queue.length > 0) this.queue.push(message);
    else this.emit('message', message);
  }
}

if (!process.send) throw new Error('parent-port-shim: this process has no IPC channel (fork it with one).');
const parentPort = new ParentPort();
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false });

process.on('message', (message: FromMain) => {
  debug('<-', message);
  switch (message?.standIn) {
    case 'parent': {
      const handed = message.ports.map((id) => {
        const port = new PortShim(id);
        ports.set(id, port);
        return port;
      });
      parentPort.receive({ data: message.data, ports: handed });
      return;
    }
    case 'port':
      ports.get(message.id)?.receive(message.data);
      return;
    case 'port-close':
      ports.get(message.id)?.remoteClosed();
      return;
  }
});
// A utility process does not outlive the app.
process.on('disconnect', () => process.exit(0));
