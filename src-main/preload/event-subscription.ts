import type { IpcResult } from './api.js';

/** The part of ipcRenderer an event needs (kept apart so this file runs, and is tested, in Node). */
export interface EventSource {
  on(channel: string, handler: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * One main → window event as the page sees it: `subscribe(listener)` returns an unsubscribe
 * function. The first subscription tells main the window listens (main answers what came
 * before); a value that arrives while nobody is subscribed (say, between React's unmount and
 * mount) is kept, only the latest, and handed to the next subscriber. Values main sends are
 * checked with `valid` before the page sees them, and Electron's event object never is.
 */
export function eventSubscription<T>(
  source: EventSource,
  channel: string,
  listen: () => Promise<IpcResult<T | null>>,
  valid: (value: unknown) => value is T,
): (listener: (value: T) => void) => () => void {
  const listeners = new Set<(value: T) => void>();
  let kept: T | undefined;
  let listening = false;
  const deliver = (value: T) => {
    if (listeners.size === 0) {
      kept = value;
      return;
    }
    for (const listener of [...listeners]) listener(value);
  };
  source.on(channel, (_event, value) => {
    if (valid(value)) deliver(value);
  });
  return (listener) => {
    listeners.add(listener);
    if (kept !== undefined) {
      const value = kept;
      kept = undefined;
      listener(value);
    }
    if (!listening) {
      listening = true;
      void listen().then(
        (answer) => {
          if (answer.ok && valid(answer.value)) deliver(answer.value);
        },
        () => {
          // Main is gone; nothing came before that we could show.
        },
      );
    }
    return () => {
      listeners.delete(listener);
    };
  };
}

/** A pairing code as main normalises it (pairing-link-url.ts); anything else is not shown. */
export function isPairingCode(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 32 && /^\d{3}-[a-z]+-[a-z]+$/.test(value);
}
