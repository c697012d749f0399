import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HEARTBEAT_FRAME, retryFrame } from './sse-frame.js';

export interface SseHubOptions {
  log: Logger;
  /** Open streams allowed at once; more are refused so dashboards cannot exhaust the server. */
  maxClients: number;
  /** Comment sent to every stream this often, so proxies do not cut idle streams. */
  heartbeatMs: number;
  /** What the browser waits before reconnecting (the SSE retry field). */
  retryMs: number;
  /**
   * Bytes a stream may have queued unsent. A client that reads slower than events arrive is
   * dropped instead of buffered without bound; it reconnects and catches up from history.
   */
  maxBufferedBytes: number;
  onClientCount?: (count: number) => void;
}

/** The open /status/events streams. Knows nothing about what the events mean. */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: SseHubOptions) {
    this.heartbeat = setInterval(() => this.broadcast(HEARTBEAT_FRAME), options.heartbeatMs);
    // The heartbeat alone must never keep the process alive.
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.closed || this.clients.size >= this.options.maxClients;
  }

  /**
   * Starts an event stream on `res` and writes `initial` (a replay or a snapshot) before any
   * live event, so the client sees events in id order. The caller checks `full` first.
   */
  open(res: ServerResponse, initial: readonly string[]): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform: a compressing proxy would otherwise hold events back to fill a block.
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx buffers proxied responses unless told not to.
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    this.options.onClientCount?.(this.clients.size);
    res.on('close', () => {
      if (this.clients.delete(res)) this.options.onClientCount?.(this.clients.size);
    });
    this.send(res, retryFrame(this.options.retryMs) + initial.join(''));
  }

  broadcast(frame: string): void {
    for (const res of this.clients) this.send(res, frame);
  }

  /** Ends every stream; later opens are refused (`full`). */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.options.onClientCount?.(0);
  }

  private send(res: ServerResponse, text: string): void {
    if (res.writableEnded || res.destroyed) return;
    if (!res.write(text) && res.writableLength > this.options.maxBufferedBytes) {
      this.options.log.debug({ queued: res.writableLength }, 'status stream too slow; dropping it');
      this.clients.delete(res);
      this.options.onClientCount?.(this.clients.size);
      res.destroy();
    }
  }
}
