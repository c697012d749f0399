/// <reference lib="webworker" />
/*
 * The page's service worker: a download the page streams (a received file, or a zip of several)
 * becomes an ordinary browser download without the page ever holding the whole of it. Nothing
 * else is intercepted: every other request goes to the network as if there were no worker.
 */
import { DOWNLOAD_PATH, PAGE_SILENCE_MS, type PageToWorker, WORKER_QUEUE_BYTES, type WorkerToPage } from '../saving/download-protocol.js';

declare const self: ServiceWorkerGlobalScope;

interface Pending {
  port: MessagePort;
  name: string;
  size: number | undefined;
}

/** Downloads announced by the page, waiting for their request (a minute at most). */
const pending = new Map<string, Pending>();

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const message = event.data as PageToWorker;
  const port = event.ports[0];
  if (message?.type !== 'start' || !port || typeof message.id !== 'string') return;
  pending.set(message.id, { port, name: message.name, size: message.size });
  setTimeout(() => pending.delete(message.id), 60_000);
  port.postMessage({ type: 'ready' } satisfies WorkerToPage);
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(DOWNLOAD_PATH)) return;
  const id = url.pathname.slice(DOWNLOAD_PATH.length).split('/')[0] ?? '';
  const download = pending.get(id);
  pending.delete(id);
  if (!download) {
    event.respondWith(new Response('This download has ended or never began.', { status: 404 }));
    return;
  }
  const { response, ended } = streamed(download);
  // Browsers stop a worker they think idle (Firefox after about 30 s) even while it streams: it
  // holds itself alive until the stream has ended.
  event.waitUntil(ended);
  event.respondWith(response);
});

function streamed({ port, name, size }: Pending): { response: Response; ended: Promise<void> } {
  const tell = (message: WorkerToPage) => port.postMessage(message);
  let waiting = false;
  let settle: () => void = () => {};
  const ended = new Promise<void>((resolve) => (settle = resolve));
  let heard = Date.now();
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(watchdog);
    port.close();
    settle();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // A page that went silent (closed, crashed) will send no more: the download fails, never ends short.
        watchdog = setInterval(() => {
          if (Date.now() - heard < PAGE_SILENCE_MS) return;
          controller.error(new Error('The page stopped sending.'));
          stop();
        }, PAGE_SILENCE_MS / 3);
        port.onmessage = (event: MessageEvent<PageToWorker>) => {
          heard = Date.now();
          const message = event.data;
          switch (message.type) {
            case 'chunk':
              controller.enqueue(new Uint8Array(message.bytes));
              if ((controller.desiredSize ?? 0) > 0) tell({ type: 'more' });
              else waiting = true;
              return;
            case 'end':
              controller.close();
              stop();
              return;
            case 'abort':
              controller.error(new Error(message.reason));
              stop();
              return;
            case 'keep-alive':
            case 'start':
              return;
            default: {
              const unreachable: never = message;
              return unreachable;
            }
          }
        };
        tell({ type: 'more' });
      },
      pull() {
        if (!waiting) return;
        waiting = false;
        tell({ type: 'more' });
      },
      cancel() {
        // The person cancelled the download in the browser: the page ends the transfer.
        tell({ type: 'cancelled' });
        stop();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: WORKER_QUEUE_BYTES }),
  );
  const headers = new Headers({
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
  });
  if (size !== undefined) headers.set('content-length', String(size));
  return { response: new Response(body, { headers }), ended };
}
