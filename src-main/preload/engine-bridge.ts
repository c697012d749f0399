import type { EngineBridge } from './api.js';

/** The part of a DOM MessagePort the bridge uses (kept apart so this runs, and is tested, in Node). */
export interface BridgePort {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  start(): void;
  close(): void;
}

/** Messages the page posts before main's port arrives; more means something is wrong. */
const MAX_EARLY_MESSAGES = 1000;

/**
 * The page's line to the engine: main sends the preload a MessagePort (after every load); what
 * the page posts before it arrives waits for it, and a newer port replaces an older one.
 */
export function engineBridge(): EngineBridge & { attach(port: BridgePort): void } {
  let port: BridgePort | undefined;
  const early: unknown[] = [];
  const listeners = new Set<(message: unknown) => void>();
  return {
    attach: (next) => {
      port?.close();
      port = next;
      next.onmessage = (event) => {
        for (const listener of [...listeners]) listener(event.data);
      };
      next.start();
      for (const message of early.splice(0)) next.postMessage(message);
    },
    post: (message) => {
      if (port) port.postMessage(message);
      else if (early.length < MAX_EARLY_MESSAGES) early.push(message);
    },
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
