/*
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Data is JSON.stringify output, which never contains a raw newline, so one data line suffices.
 */

export function eventFrame(id: string, type: string, data: unknown): string {
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Tells the browser how long to wait before reconnecting after the stream drops. */
export function retryFrame(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}

/** A comment line: ignored by EventSource, but traffic that keeps proxies from closing an idle stream. */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';
