import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SseHub } from './sse-hub.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('SSE hub', () => {
  it('drops a client that stops reading instead of queueing for it without bound', async () => {
    const hub = new SseHub({
      log: pino({ level: 'silent' }),
      maxClients: 4,
      heartbeatMs: 60_000,
      retryMs: 1000,
      maxBufferedBytes: 64 * 1024,
    });
    const server = http.createServer((_req, res) => hub.open(res, []));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      hub.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });

    // A raw client that sends its request and then never reads a byte.
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    await once(socket, 'connect');
    socket.pause();
    socket.write('GET /status/events HTTP/1.1\r\nHost: x\r\n\r\n');
    const deadline = Date.now() + 5000;
    while (hub.size === 0) {
      if (Date.now() > deadline) throw new Error('the stream never opened');
      await new Promise((r) => setTimeout(r, 10));
    }

    // 64 KiB frames until the kernel buffers are full and Node's queue passes the bound; bounded
    // at 64 MiB in all so a broken hub fails the test rather than the machine.
    const frame = `data: ${'x'.repeat(64 * 1024)}\n\n`;
    for (let i = 0; i < 1024 && hub.size > 0; i++) {
      hub.broadcast(frame);
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.size).toBe(0);
  });
});
