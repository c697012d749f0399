import { afterEach, describe, expect, it } from 'vitest';
import { mintAccessToken } from './access-token.js';
import type { SignalingEvents } from './events.js';
import { type SignalingServerOptions, startSignalingServer } from './server.js';
import { cleanup, peerId, type RawPeer, refused, registered, track, waitFor } from './test-support/raw-peer.js';

afterEach(cleanup);

async function start(options: SignalingServerOptions = {}) {
  return track(await startSignalingServer({ host: '127.0.0.1', port: 0, ...options }));
}

/** A records every refusal it is told about, like a metrics module would. */
function refusalLog() {
  const seen: Array<[string, string]> = [];
  const events: SignalingEvents = { refused: (reason, address) => seen.push([reason, address]) };
  return { seen, events };
}

/** OFFER from a to b and ANSWER back, checked on arrival. */
async function exchange(a: RawPeer, b: RawPeer): Promise<void> {
  a.send({ type: 'OFFER', dst: b.id, payload: { sdp: 'offer' } });
  expect(await b.next()).toMatchObject({ type: 'OFFER', src: a.id, payload: { sdp: 'offer' } });
  b.send({ type: 'ANSWER', dst: a.id, payload: { sdp: 'answer' } });
  expect(await a.next()).toMatchObject({ type: 'ANSWER', src: b.id, payload: { sdp: 'answer' } });
}

const SHARED = 'correct-horse-battery-staple';
const SECRET = 'a-token-secret-of-enough-length';

describe('access tokens on the WebSocket upgrade', () => {
  it('with a shared token: refuses a missing or wrong one with a reason and close 4401, before registering', async () => {
    const { seen, events } = refusalLog();
    const server = await start({ access: { kind: 'shared', token: SHARED }, events });
    const id = peerId(1);

    const wrong = await refused(server.port, id, { token: 'a-wrong-guess-of-the-token' });
    expect(wrong.message).toEqual({ type: 'ERROR', payload: { msg: 'The access token is not valid on this signaling server.' } });
    expect(wrong.close).toEqual({ code: 4401, reason: 'The access token is not valid on this signaling server.' });
    const missing = await refused(server.port, id, { token: '' });
    expect(missing.message.payload?.msg).toBe('This signaling server needs an access token.');
    expect(missing.close.code).toBe(4401);
    expect(server.peers()).toEqual([]);

    await registered(server.port, id, { token: SHARED });
    expect(server.peers()).toEqual([id]);
    expect(seen).toEqual([['token-invalid', '127.0.0.1'], ['token-missing', '127.0.0.1']]);
    expect(server.stats().refused).toMatchObject({ 'token-invalid': 1, 'token-missing': 1 });
  });

  it('with per-device tokens: accepts the id it was minted for until it expires, nothing else', async () => {
    const server = await start({ access: { kind: 'hmac', secret: SECRET } });
    const id = peerId(2);
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const token = mintAccessToken(SECRET, id, inAnHour);

    expect((await refused(server.port, peerId(3), { token })).close.code).toBe(4401); // another id
    expect((await refused(server.port, id, { token: mintAccessToken('another-secret-entirely', id, inAnHour) })).message.payload?.msg).toMatch(/not valid/);
    const expired = await refused(server.port, id, { token: mintAccessToken(SECRET, id, Math.floor(Date.now() / 1000) - 1) });
    expect(expired.message.payload?.msg).toMatch(/expired/);
    // A later expiry with the old signature: the expiry is signed.
    expect((await refused(server.port, id, { token: token.replace(/^\d+/, String(inAnHour + 3600)) })).message.payload?.msg).toMatch(/not valid/);
    expect(server.stats().refused).toMatchObject({ 'token-invalid': 3, 'token-expired': 1 });
    expect(server.peers()).toEqual([]);

    await registered(server.port, id, { token });
    expect(server.peers()).toEqual([id]);
  });
});

describe('peer ids', () => {
  it('refuses ids that are not Ferry ids (close 4400) and relays nothing to made-up destinations', async () => {
    const server = await start();
    for (const bad of ['ferry-AAAAAAAAAAAAAAAA', 'ferry-aaaaaaaaaaaaaaa1', 'ferry-aaaa', 'someone', `ferry-${'a'.repeat(17)}`]) {
      const { message, close } = await refused(server.port, bad);
      expect(message).toEqual({ type: 'ERROR', payload: { msg: expect.stringContaining('Invalid peer id') } });
      expect(close.code).toBe(4400);
    }
    expect(server.peers()).toEqual([]);

    const a = await registered(server.port, peerId(1));
    a.send({ type: 'OFFER', dst: 'not-a-ferry-id', payload: {} });
    a.send({ type: 'LEAVE' }); // without dst, peer would forget the sender while its socket lives on
    await waitFor(() => server.stats().refused['bad-destination'] === 2);
    expect(server.stats().offlineQueues).toBe(0);
    expect(server.peers()).toEqual([peerId(1)]);
  });

  it('keeps a connected id from a second connection with another token (ID-TAKEN, 4409), and the first keeps working', async () => {
    const server = await start();
    const owner = await registered(server.port, peerId(1), { token: 'owner-session' });
    const other = await registered(server.port, peerId(2));
    const squatter = await refused(server.port, peerId(1), { token: 'squatter-session' });
    expect(squatter.message).toEqual({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } });
    expect(squatter.close.code).toBe(4409);
    await exchange(other, owner);
    expect(server.stats().refused['id-taken']).toBe(1);
  });

  it('lets the same token reconnect (PeerJS reconnect): the new socket gets OPEN and the traffic, the old one is closed (4410)', async () => {
    const reconnects: string[] = [];
    const server = await start({ events: { reconnected: (id) => reconnects.push(id) } });
    const first = await registered(server.port, peerId(1), { token: 'my-session' });
    const other = await registered(server.port, peerId(2));
    const second = await registered(server.port, peerId(1), { token: 'my-session' });
    expect((await first.closed).code).toBe(4410);
    expect(server.peers().sort()).toEqual([peerId(1), peerId(2)]);
    await exchange(other, second);
    expect(reconnects).toEqual([peerId(1)]);
  });

  it('with a shared access token, the same token does not take over a connected id', async () => {
    const server = await start({ access: { kind: 'shared', token: SHARED } });
    const owner = await registered(server.port, peerId(1), { token: SHARED });
    const other = await registered(server.port, peerId(2), { token: SHARED });
    const thief = await refused(server.port, peerId(1), { token: SHARED });
    expect(thief.message.type).toBe('ID-TAKEN');
    await exchange(other, owner);
    // Once the owner is gone, the id is free again (a restart of the same device).
    owner.close();
    await waitFor(() => !server.peers().includes(peerId(1)));
    await registered(server.port, peerId(1), { token: SHARED });
  });
});

describe('per-address limits', () => {
  it('cuts off a flooding client (4429) while another pair keeps exchanging OFFER/ANSWER', async () => {
    const left: Array<[string, string]> = [];
    const server = await start({ limits: { messagesPerSecond: 20, messageBurst: 40 }, events: { left: (id, reason) => left.push([id, reason]) } });
    // Another address on the loopback: a different client as far as limits go.
    const flooder = await registered(server.port, peerId(9), { localAddress: '127.0.0.2' });
    const a = await registered(server.port, peerId(1));
    const b = await registered(server.port, peerId(2));

    for (let i = 0; i < 500; i++) flooder.send({ type: 'CANDIDATE', dst: b.id, payload: { candidate: i } });
    const closed = await flooder.closed;
    expect(closed).toEqual({ code: 4429, reason: 'Too many messages from your address; slow down.' });
    // b got about the burst's worth (plus what refilled meanwhile), not 500.
    const arrived = await b.drain(100);
    expect(arrived.length).toBeGreaterThanOrEqual(40);
    expect(arrived.length).toBeLessThan(60);

    await exchange(a, b);
    await exchange(b, a);
    expect(server.peers().sort()).toEqual([peerId(1), peerId(2)]);
    expect(server.stats().refused['rate-limited']).toBe(1);
    expect(left).toEqual([[peerId(9), 'cut-off']]);
  });

  it('refuses connections over the per-address limit (4429); other addresses are unaffected; a freed slot is reusable', async () => {
    const server = await start({ limits: { connectionsPerAddress: 2 } });
    const one = await registered(server.port, peerId(1));
    await registered(server.port, peerId(2));
    const third = await refused(server.port, peerId(3));
    expect(third.message.payload?.msg).toBe('Too many connections from your address.');
    expect(third.close.code).toBe(4429);
    await registered(server.port, peerId(4), { localAddress: '127.0.0.3' });
    one.close();
    await waitFor(() => server.stats().sockets === 2);
    await registered(server.port, peerId(3));
  });

  it('counts by X-Forwarded-For only from a trusted proxy', async () => {
    const addresses: string[] = [];
    const events: SignalingEvents = { registered: (_id, address) => addresses.push(address) };
    const trusting = await start({ limits: { connectionsPerAddress: 1 }, trustedProxies: ['127.0.0.1'], events });
    await registered(trusting.port, peerId(1), { headers: { 'x-forwarded-for': '203.0.113.7' } });
    await registered(trusting.port, peerId(2), { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.8' } });
    expect((await refused(trusting.port, peerId(3), { headers: { 'x-forwarded-for': '203.0.113.7' } })).close.code).toBe(4429);
    expect(addresses).toEqual(['203.0.113.7', '203.0.113.8']);

    // Not trusted: the header is the client's say-so and is ignored.
    const wary = await start({ limits: { connectionsPerAddress: 1 } });
    await registered(wary.port, peerId(1), { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect((await refused(wary.port, peerId(2), { headers: { 'x-forwarded-for': '203.0.113.9' } })).close.code).toBe(4429);
  });

  it('refuses new ids when the server is full (4503), not reconnections', async () => {
    const server = await start({ maxPeers: 2 });
    await registered(server.port, peerId(1), { token: 'one' });
    await registered(server.port, peerId(2));
    const full = await refused(server.port, peerId(3));
    expect(full.close.code).toBe(4503);
    expect(full.message.payload?.msg).toMatch(/full/);
    await registered(server.port, peerId(1), { token: 'one' });
  });
});

describe('messages for peers that are not connected', () => {
  it('holds at most queue.limit for one offline peer and delivers those when it connects', async () => {
    const server = await start({ queue: { limit: 5 } });
    const sender = await registered(server.port, peerId(1));
    const offline = peerId(2);
    for (let i = 0; i < 20; i++) sender.send({ type: 'CANDIDATE', dst: offline, payload: { n: i } });
    await waitFor(() => server.stats().refused['queue-full'] === 15);
    expect(server.stats()).toMatchObject({ queued: 5, offlineQueues: 1 });

    const late = await registered(server.port, offline);
    const delivered = [];
    for (let i = 0; i < 5; i++) delivered.push(await late.next());
    expect(delivered.map((m) => m.payload?.n)).toEqual([0, 1, 2, 3, 4]);
    expect(await late.drain(100)).toEqual([]);
    // The queue was delivered: the next messages are relayed, and counted from zero again.
    await exchange(sender, late);
    expect(server.stats().offlineQueues).toBe(0);
  });
});

describe('frame size', () => {
  it('counts an oversized frame as a refusal', async () => {
    const server = await start({ maxMessageBytes: 1024 });
    const big = await registered(server.port, peerId(1));
    big.send('x'.repeat(2000));
    expect((await big.closed).code).toBe(1009);
    await waitFor(() => server.stats().refused['message-too-large'] === 1);
  });
});
