import type { PortLike } from '../remote/port.js';

/**
 * Two connected ports in one process, carrying JSON as the real ones do (a value that does not
 * survive JSON does not survive here either), each message in a task of its own.
 */
export function memoryPortPair(): [PortLike & { close(): void }, PortLike & { close(): void }] {
  const listeners: [Set<(message: unknown) => void>, Set<(message: unknown) => void>] = [new Set(), new Set()];
  let closed = false;
  const end = (mine: 0 | 1): PortLike & { close(): void } => ({
    post: (message) => {
      if (closed) return;
      const text = JSON.stringify(message);
      setImmediate(() => {
        if (closed) return;
        for (const listener of [...listeners[mine === 0 ? 1 : 0]]) listener(JSON.parse(text));
      });
    },
    onMessage: (listener) => {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
    close: () => {
      closed = true;
    },
  });
  return [end(0), end(1)];
}
