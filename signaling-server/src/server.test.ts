import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SignalingServer, startSignalingServer } from './server.js';
import { peerId } from './test-support/raw-peer.js';

const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.on('error', () => {}); // terminating a socket still connecting reports an error
    socket.terminate();
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startSignalingServer>[0] = {}) {
  const server = await startSignalingServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  return server;
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** Opens a PeerJS-protocol socket and resolves with the first message the server sends. */
async function register(server: SignalingServer, id: string, extra: Record<string, string> = {}) {
  const query = new URLSearchParams({ key: 'peerjs', id, token: 'tok', ...extra });
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs?${query}`);
  sockets.push(socket);
  const [data] = (await once(socket, 'message')) as [Buffer];
  return { socket, first: JSON.parse(data.toString()) as { type: string } };
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('signaling server', () => {
  it('answers /health with status, peer count, uptime and version', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const { status, body } = await getJson(`http://127.0.0.1:${server.port}/health`);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', peers: 0, uptimeSeconds: 0, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('lists its peers at /nearby only when asked to (the LAN server), and reports its LAN id', async () => {
    const closed = await start();
    expect((await getJson(`http://127.0.0.1:${closed.port}/nearby`)).status).toBe(404);
    const lan = await start({ listPeers: true, serverId: 'abcdefghijklmnop' });
    await register(lan, 'ferry-aaaaaaaaaaaaaaaa');
    await register(lan, 'ferry-bbbbbbbbbbbbbbbb');
    // A pairing code's slot (a device showing a code registers it) is no device: not listed.
    await register(lan, 'ferry-npnrh7pnf5oo2p53');
    expect((await getJson(`http://127.0.0.1:${lan.port}/nearby`)).body).toEqual({ peers: ['ferry-aaaaaaaaaaaaaaaa', 'ferry-bbbbbbbbbbbbbbbb'], cards: {} });
    expect((await getJson(`http://127.0.0.1:${lan.port}/health`)).body).toMatchObject({ serverId: 'abcdefghijklmnop', lanVersion: 1 });
  });

  it('keeps a registered peer’s name card for the listing, refuses others and oversize ones in JSON, forgets it when the peer leaves', async () => {
    const lan = await start({ listPeers: true });
    const a = await register(lan, 'ferry-aaaaaaaaaaaaaaaa');
    const post = (peer: string, body: string) =>
      getJson(`http://127.0.0.1:${lan.port}/nearby/card?peer=${peer}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const card = { name: 'A', publicKey: 'k', issuedAt: 1, signature: 's' };
    expect((await post('ferry-aaaaaaaaaaaaaaaa', JSON.stringify(card))).status).toBe(200);
    expect((await getJson(`http://127.0.0.1:${lan.port}/nearby`)).body).toEqual({ peers: ['ferry-aaaaaaaaaaaaaaaa'], cards: { 'ferry-aaaaaaaaaaaaaaaa': card } });
    // Not registered here, not an object, too big, not JSON: refused, with a reason, nothing kept.
    expect(await post('ferry-bbbbbbbbbbbbbbbb', JSON.stringify(card))).toMatchObject({ status: 400, body: { error: 'bad-request' } });
    expect(await post('ferry-aaaaaaaaaaaaaaaa', '[1]')).toMatchObject({ status: 400, body: { error: 'bad-request' } });
    expect(await post('ferry-aaaaaaaaaaaaaaaa', JSON.stringify({ name: 'x'.repeat(2000) }))).toMatchObject({ status: 413, body: { error: 'bad-request' } });
    expect(await post('ferry-aaaaaaaaaaaaaaaa', '{nope')).toMatchObject({ status: 400, body: { error: 'bad-request', message: 'The body is not JSON.' } });
    expect(((await getJson(`http://127.0.0.1:${lan.port}/nearby`)).body as { cards: unknown }).cards).toEqual({ 'ferry-aaaaaaaaaaaaaaaa': card });
    a.socket.close();
    await waitFor(() => lan.peers().length === 0);
    expect((await getJson(`http://127.0.0.1:${lan.port}/nearby`)).body).toEqual({ peers: [], cards: {} });
  });

  it('serves the configured ICE servers at /ice', async () => {
    const iceServers = [{ urls: 'stun:stun.example.test:3478' }];
    const server = await start({ iceServers });
    const { body } = await getJson(`http://127.0.0.1:${server.port}/ice`);
    expect(body).toEqual({ iceServers });
  });

  it('registers PeerJS clients, counts them, and forgets them when they leave', async () => {
    const server = await start();
    const a = await register(server, 'ferry-aaaaaaaaaaaaaaaa');
    const b = await register(server, 'ferry-bbbbbbbbbbbbbbbb');
    expect(a.first.type).toBe('OPEN');
    expect(b.first.type).toBe('OPEN');
    expect((await getJson(`http://127.0.0.1:${server.port}/health`)).body).toMatchObject({ peers: 2 });

    // Relay: a message from A to B arrives with A as the source, whatever A claims.
    a.socket.send(JSON.stringify({ type: 'OFFER', dst: 'ferry-bbbbbbbbbbbbbbbb', src: 'forged', payload: { sdp: 'x' } }));
    const [relayed] = (await once(b.socket, 'message')) as [Buffer];
    expect(JSON.parse(relayed.toString())).toMatchObject({ type: 'OFFER', src: 'ferry-aaaaaaaaaaaaaaaa' });

    a.socket.close();
    await waitFor(() => server.peers().length === 1);
    expect(server.peers()).toEqual(['ferry-bbbbbbbbbbbbbbbb']);
  });

  it('refuses a wrong key and an id taken with another token', async () => {
    const server = await start({ key: 'secret-key' });
    const wrongKey = await register(server, 'ferry-cccccccccccccccc', { key: 'nope' });
    expect(wrongKey.first).toMatchObject({ type: 'ERROR', payload: { msg: 'Invalid key provided' } });
    await register(server, 'ferry-dddddddddddddddd', { key: 'secret-key' });
    const taken = await register(server, 'ferry-dddddddddddddddd', { key: 'secret-key', token: 'other' });
    expect(taken.first.type).toBe('ID-TAKEN');
  });

  it('survives garbage, then still serves and relays', async () => {
    const server = await start();
    const bad = await register(server, 'ferry-eeeeeeeeeeeeeeee');
    for (const junk of ['not json', 'null', '42', '[]', '{"type":"OFFER"}', '{"type":{"x":1},"dst":{}}', '\u0000\uffff']) {
      bad.socket.send(junk);
    }
    bad.socket.send(Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    const good = await register(server, 'ferry-ffffffffffffffff');
    bad.socket.send(JSON.stringify({ type: 'ANSWER', dst: 'ferry-ffffffffffffffff', payload: {} }));
    const [relayed] = (await once(good.socket, 'message')) as [Buffer];
    expect(JSON.parse(relayed.toString())).toMatchObject({ type: 'ANSWER', src: 'ferry-eeeeeeeeeeeeeeee' });
    expect((await getJson(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
  });

  it('closes a socket that sends a frame over the size limit, and only that socket', async () => {
    const server = await start({ maxMessageBytes: 1024 });
    const flooder = await register(server, 'ferry-gggggggggggggggg');
    const bystander = await register(server, 'ferry-hhhhhhhhhhhhhhhh');
    const closed = once(flooder.socket, 'close');
    flooder.socket.send('x'.repeat(1025));
    const [code] = (await closed) as [number];
    expect(code).toBe(1009); // "message too big"
    await waitFor(() => !server.peers().includes('ferry-gggggggggggggggg'));
    expect(server.peers()).toEqual(['ferry-hhhhhhhhhhhhhhhh']);
    expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('drops a registered peer that falls silent', async () => {
    const server = await start({ aliveTimeoutMs: 500 });
    const silent = await register(server, 'ferry-iiiiiiiiiiiiiiii');
    const closed = once(silent.socket, 'close');
    await closed;
    expect(server.peers()).toEqual([]);
  });

  it('keeps no registration behind after many connect/leave cycles', async () => {
    const server = await start();
    for (let i = 0; i < 100; i++) {
      const { socket, first } = await register(server, peerId(i, 'c'));
      expect(first.type).toBe('OPEN');
      socket.send('garbage that fails to parse');
      socket.close();
    }
    await waitFor(() => server.peers().length === 0);
    expect((await getJson(`http://127.0.0.1:${server.port}/health`)).body).toMatchObject({ peers: 0 });
  });

  it('holds no state for a socket that connects and says nothing', async () => {
    const server = await start();
    const idle = net.connect(server.port, '127.0.0.1');
    await once(idle, 'connect');
    expect((await getJson(`http://127.0.0.1:${server.port}/health`)).body).toMatchObject({ peers: 0 });
    idle.destroy();
  });

  it('refuses browser origins that are not allowed, on HTTP (403) and on the WebSocket (a reason, then close 4403)', async () => {
    const server = await start({ allowedOrigins: ['https://ok.example'] });
    const ok = await fetch(`http://127.0.0.1:${server.port}/ice`, { headers: { origin: 'https://ok.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ok.example');
    const other = await fetch(`http://127.0.0.1:${server.port}/ice`, { headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(await other.json()).toEqual({ error: 'origin-not-allowed', message: expect.stringContaining('origin is not allowed') });
    // PeerJS's own HTTP routes sit behind the same check.
    expect((await fetch(`http://127.0.0.1:${server.port}/peerjs/id`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    // Apps send no Origin: not a browser page, not affected.
    expect((await fetch(`http://127.0.0.1:${server.port}/ice`)).status).toBe(200);

    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/peerjs?key=peerjs&id=ferry-jjjjjjjjjjjjjjjj&token=t`, {
      origin: 'https://evil.example',
    });
    sockets.push(socket);
    const [data] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(data.toString())).toEqual({ type: 'ERROR', payload: { msg: expect.stringContaining('origin is not allowed') } });
    const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
    expect(code).toBe(4403);
    expect(reason.toString()).toContain('origin is not allowed');
    expect(server.peers()).toEqual([]);
    expect(server.stats().refused['origin-not-allowed']).toBe(3);
  });

  it('mounts PeerJS under a custom path', async () => {
    const server = await start({ path: '/signal' });
    expect(server.url).toMatch(/\/signal\/$/);
    const query = new URLSearchParams({ key: 'peerjs', id: 'ferry-kkkkkkkkkkkkkkkk', token: 't' });
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/signal/peerjs?${query}`);
    sockets.push(socket);
    const [data] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(data.toString())).toEqual({ type: 'OPEN' });
  });

  it('reports a port in use clearly', async () => {
    const first = await start();
    await expect(startSignalingServer({ host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(`Port ${first.port}`),
    });
  });
});
