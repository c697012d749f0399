import { DOWNLOAD_PATH, KEEP_ALIVE_MS, type PageToWorker, type WorkerToPage } from './download-protocol.js';
import type { ByteTarget } from './byte-target.js';

/**
 * Bytes gathered before they go to the worker: one allocation and one message per mebibyte, not
 * one per chunk (a gigabyte is sixteen thousand chunks; the garbage they leave is what a page's
 * memory grows with).
 */
const BATCH_BYTES = 1024 * 1024;


/** Whether this page can stream downloads: its service worker is in control. */
export function canStreamDownloads(): boolean {
  return navigator.serviceWorker?.controller != null;
}

/** Registers the page's service worker and resolves once it controls the page (false where there is none). */
export async function startDownloadWorker(url: string): Promise<boolean> {
  if (!('serviceWorker' in navigator)) return false;
  try {
    await navigator.serviceWorker.register(url, { scope: '/' });
  } catch {
    return false;
  }
  if (navigator.serviceWorker.controller) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * A browser download fed by the page through its service worker: the browser writes it to the
 * person's download folder under a temporary name as bytes come, and names it only when the
 * stream closes; an aborted stream is a failed download, and the browser removes what it had.
 */
export function streamDownload(name: string, size: number | undefined, onCancelled: () => void): ByteTarget {
  const controller = navigator.serviceWorker.controller;
  if (!controller) throw new Error('Streaming downloads need the page’s service worker.');
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  const port = channel.port1;
  let credits = 0;
  let wake: (() => void) | undefined;
  let ended = false;
  // The frame that asks for the download, once the worker holds it ('ready').
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `${DOWNLOAD_PATH}${id}/${encodeURIComponent(name)}`;
  port.onmessage = (event: MessageEvent<WorkerToPage>) => {
    const message = event.data;
    switch (message.type) {
      case 'ready':
        // The worker holds the download: a hidden frame asks for it, and the worker answers with the stream.
        if (!ended) document.body.append(frame);
        return;
      case 'more':
        credits++;
        wake?.();
        return;
      case 'cancelled':
        ended = true;
        wake?.();
        onCancelled();
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  };
  const post = (message: PageToWorker, transfer: Transferable[] = []) => port.postMessage(message, transfer);
  controller.postMessage({ type: 'start', id, name, size } satisfies PageToWorker, [channel.port2]);
  // Port messages tell the worker the page is still there (it ends a download whose page went
  // silent); the worker also holds itself alive until the stream ends (waitUntil).
  const keepAlive = setInterval(() => post({ type: 'keep-alive' }), KEEP_ALIVE_MS);
  // A page closed mid-transfer: the download fails rather than ending short under its name.
  const leaving = () => post({ type: 'abort', reason: 'The page was closed before the transfer finished.' });
  addEventListener('pagehide', leaving);
  const finish = () => {
    ended = true;
    wake?.();
    removeEventListener('pagehide', leaving);
    clearInterval(keepAlive);
    setTimeout(() => frame.remove(), 1000);
  };
  let batch = new Uint8Array(BATCH_BYTES);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    while (credits === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
    if (ended) throw new Error('The download was cancelled in the browser.');
    credits--;
    // Transferred, not copied: the batch is the worker's now, and a new one starts.
    const full = filled === batch.length ? batch : batch.slice(0, filled);
    post({ type: 'chunk', bytes: full.buffer as ArrayBuffer }, [full.buffer as ArrayBuffer]);
    batch = new Uint8Array(BATCH_BYTES);
    filled = 0;
  };
  return {
    write: async (bytes) => {
      let from = 0;
      while (from < bytes.length) {
        const take = Math.min(bytes.length - from, batch.length - filled);
        batch.set(bytes.subarray(from, from + take), filled);
        filled += take;
        from += take;
        if (filled === batch.length) await flush();
      }
    },
    close: async () => {
      await flush();
      if (!ended) post({ type: 'end' });
      finish();
    },
    abort: async (reason) => {
      if (!ended) post({ type: 'abort', reason });
      finish();
    },
  };
}
