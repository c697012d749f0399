import type { PortLike } from '../port.js';

/**
 * Two connected ports in one process, delivering asynchronously and as JSON (what a real
 * transport would: no shared objects, nothing the other side could not have received).
 */
export function portPair(): [PortLike, PortLike] {
  const listeners: [Set<(message: unknown) => void>, Set<(message: unknown) => void>] = [new Set(), new Set()];
  const side = (mine: 0 | 1): PortLike => ({
    post: (message) => {
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      queueMicrotask(() => {
        for (const listener of listeners[mine === 0 ? 1 : 0]) listener(copy);
      });
    },
    onMessage: (listener) => {
      listeners[mine].add(listener);
      return () => listeners[mine].delete(listener);
    },
  });
  return [side(0), side(1)];
}
