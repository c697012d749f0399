/**
 * The page and its service worker, for one streamed download: the page hands the worker a
 * MessagePort with `start`, then opens DOWNLOAD_PATH/<id>/<name>; the worker answers that request
 * with a stream it fills from the port. Bytes go as transferred ArrayBuffers; the worker says
 * `more` whenever its queue has room, so the page never holds more than a few chunks.
 */
export const DOWNLOAD_PATH = '/ferry-download/';

export type PageToWorker =
  | { type: 'start'; id: string; name: string; size: number | undefined }
  | { type: 'chunk'; bytes: ArrayBuffer }
  | { type: 'end' }
  | { type: 'abort'; reason: string }
  | { type: 'keep-alive' };

/**
 * `ready`: the worker holds the announced download, so the page may now ask for it (a message and
 * a request reach a worker in no guaranteed order: asked first, the request would find nothing).
 */
export type WorkerToPage = { type: 'ready' } | { type: 'more' } | { type: 'cancelled' };

/** Bytes the worker queues before it stops asking for more. */
export const WORKER_QUEUE_BYTES = 4 * 1024 * 1024;

/** How often the page tells its worker it is still there while a download runs. */
export const KEEP_ALIVE_MS = 10_000;

/** A download whose page said nothing for this long is ended as failed (the page is gone). */
export const PAGE_SILENCE_MS = 3 * KEEP_ALIVE_MS;
