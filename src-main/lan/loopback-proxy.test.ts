import { createServer, type Server, type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackProxy } from './loopback-proxy.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A TCP server that answers every line with its name. */
async function echo(name: string): Promise<{ port: number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => socket.write(`${name}:${String(d)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as { port: number }).port };
}

function talk(port: number): { say(text: string): Promise<string>; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  return {
    say: (text) =>
      new Promise((resolve) => {
        socket.once('data', (d) => resolve(String(d)));
        socket.write(text);
      }),
    closed,
  };
}

describe('LoopbackProxy', () => {
  it('relays to the upstream, drops its connections when the upstream moves, and relays to the new one', async () => {
    const one = await echo('one');
    const two = await echo('two');
    const proxy = await LoopbackProxy.start();
    cleanup.push(() => proxy.close());
    proxy.setUpstream({ host: '127.0.0.1', port: one.port });
    const first = talk(proxy.port);
    expect(await first.say('hi')).toBe('one:hi');
    proxy.setUpstream({ host: '127.0.0.1', port: two.port });
    await first.closed;
    expect(await talk(proxy.port).say('hi')).toBe('two:hi');
  });

  it('refuses connections while there is no upstream, and survives an upstream that is down', async () => {
    const proxy = await LoopbackProxy.start();
    cleanup.push(() => proxy.close());
    await talk(proxy.port).closed;
    proxy.setUpstream({ host: '127.0.0.1', port: 1 }); // nothing listens there
    await talk(proxy.port).closed;
    const one = await echo('one');
    proxy.setUpstream({ host: '127.0.0.1', port: one.port });
    expect(await talk(proxy.port).say('still here')).toBe('one:still here');
  });
});
