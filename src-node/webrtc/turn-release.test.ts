import { createHmac } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalUdpPorts } from './local-udp-ports.js';
import { decodeStun, encodeStun, longTermKey, PendingTurnReleases, releaseTurnAllocations, type TurnServerUse, udpTurnServers } from './turn-release.js';

const REFRESH = 0x0004;
const USERNAME = 0x0006;
const INTEGRITY = 0x0008;
const LIFETIME = 0x000d;
const REALM = 0x0014;
const NONCE = 0x0015;

function attr(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function errorAttr(code: number): Buffer {
  return attr(0x0009, Buffer.from([0, 0, Math.floor(code / 100), code % 100]));
}

interface Seen {
  from: number;
  lifetime: number | undefined;
  username: string | undefined;
  integrityOk: boolean | undefined;
}

/** A TURN server that knows one allocation per client port, and RFC 8656's Refresh. */
async function fakeTurn(options: { password: string; allocatedFrom: () => number[]; staleOnce?: boolean }): Promise<{ socket: Socket; port: number; seen: Seen[] }> {
  const socket = createSocket('udp4');
  const seen: Seen[] = [];
  let stale = options.staleOnce ?? false;
  socket.on('message', (data: Buffer, from: RemoteInfo) => {
    const message = decodeStun(data);
    if (!message || message.type !== REFRESH) return;
    const lifetime = message.attributes.get(LIFETIME)?.readUInt32BE(0);
    const username = message.attributes.get(USERNAME)?.toString('utf8');
    const mac = message.attributes.get(INTEGRITY);
    let integrityOk: boolean | undefined;
    if (mac && username) {
      // MESSAGE-INTEGRITY covers the message up to it, with the length counting it.
      const covered = Buffer.from(data.subarray(0, data.length - 24));
      covered.writeUInt16BE(data.length - 20, 2);
      const key = longTermKey(username, 'ferry.test', options.password);
      integrityOk = createHmac('sha1', key).update(covered).digest().equals(mac);
    }
    seen.push({ from: from.port, lifetime, username, integrityOk });
    const answer = (type: number, attributes: Buffer[]) => socket.send(encodeStun(type, message.transactionId, attributes), from.port, from.address);
    const challenge = (code: number, nonce: string) => answer(0x0114, [errorAttr(code), attr(REALM, Buffer.from('ferry.test')), attr(NONCE, Buffer.from(nonce))]);
    if (!mac) return challenge(401, 'nonce-1');
    if (!integrityOk) return answer(0x0114, [errorAttr(401)]);
    if (stale) {
      stale = false;
      return challenge(438, 'nonce-2');
    }
    if (!options.allocatedFrom().includes(from.port)) return answer(0x0114, [errorAttr(437)]);
    answer(0x0104, [attr(LIFETIME, Buffer.alloc(4))]);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, seen };
}

async function freePort(): Promise<number> {
  const ports = new LocalUdpPorts(1);
  ports.warm();
  while (ports.available === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const port = ports.take() as number;
  ports.close();
  return port;
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe('the TURN servers a connection allocates on', () => {
  it('are its UDP turn: URLs, with their credential as given', () => {
    expect(
      udpTurnServers([
        { urls: 'stun:10.0.0.1:3478' },
        { urls: ['turn:10.0.0.2:3479', 'turn:turn.example.org?transport=udp', 'turn:[2001:db8::1]:3480'], username: '1700000000:ferry-abc', credential: 'a+b/c=' },
        { urls: ['turn:10.0.0.3?transport=tcp', 'turns:10.0.0.4:5349'], username: 'u', credential: 'p' },
        { urls: 'turn:10.0.0.5' },
      ]),
    ).toEqual([
      { host: '10.0.0.2', port: 3479, username: '1700000000:ferry-abc', password: 'a+b/c=' },
      { host: 'turn.example.org', port: 3478, username: '1700000000:ferry-abc', password: 'a+b/c=' },
      { host: '2001:db8::1', port: 3480, username: '1700000000:ferry-abc', password: 'a+b/c=' },
    ]);
  });
});

describe('releasing TURN allocations', () => {
  it('sends a Refresh with LIFETIME 0 from the connection’s port, answering the challenge with the credential', async () => {
    const localPort = await freePort();
    const turn = await fakeTurn({ password: 'secret+/=', allocatedFrom: () => [localPort] });
    closers.push(() => turn.socket.close());
    const server: TurnServerUse = { host: '127.0.0.1', port: turn.port, username: '1700000000:ferry-abc', password: 'secret+/=' };
    expect(await releaseTurnAllocations(localPort, [server])).toEqual(['released']);
    expect(turn.seen).toEqual([
      { from: localPort, lifetime: 0, username: undefined, integrityOk: undefined },
      { from: localPort, lifetime: 0, username: '1700000000:ferry-abc', integrityOk: true },
    ]);
  });

  it('answers a stale nonce once more, and takes "no allocation" (437) for an answer', async () => {
    const localPort = await freePort();
    const stale = await fakeTurn({ password: 'p', allocatedFrom: () => [localPort], staleOnce: true });
    const none = await fakeTurn({ password: 'p', allocatedFrom: () => [] });
    closers.push(() => stale.socket.close(), () => none.socket.close());
    const servers = [stale, none].map((t) => ({ host: '127.0.0.1', port: t.port, username: 'u', password: 'p' }));
    expect(await releaseTurnAllocations(localPort, servers)).toEqual(['released', 'none']);
    expect(stale.seen.map((s) => s.username !== undefined)).toEqual([false, true, true]);
  });

  it('waits for the connection to let go of its port, and gives up by its deadline', async () => {
    const localPort = await freePort();
    const turn = await fakeTurn({ password: 'p', allocatedFrom: () => [localPort] });
    closers.push(() => turn.socket.close());
    const server = { host: '127.0.0.1', port: turn.port, username: 'u', password: 'p' };
    // libjuice still holds the port for a while after the connection closed.
    const holder = createSocket({ type: 'udp6', ipv6Only: false });
    await new Promise<void>((resolve) => holder.bind(localPort, '::', resolve));
    setTimeout(() => holder.close(), 150);
    const started = Date.now();
    expect(await releaseTurnAllocations(localPort, [server], 2000)).toEqual(['released']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    // A port never let go, or a server that never answers: 'failed', on time.
    const stuck = createSocket({ type: 'udp6', ipv6Only: false });
    await new Promise<void>((resolve) => stuck.bind(localPort, '::', resolve));
    closers.push(() => stuck.close());
    const t0 = Date.now();
    expect(await releaseTurnAllocations(localPort, [server], 300)).toEqual(['failed']);
    expect(Date.now() - t0).toBeLessThan(1000);
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    closers.push(() => silent.close());
    const other = await freePort();
    const t1 = Date.now();
    expect(await releaseTurnAllocations(other, [{ ...server, port: silent.address().port }], 300)).toEqual(['failed']);
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it('lets a stopping host wait for the releases under way, bounded', async () => {
    const pending = new PendingTurnReleases();
    let finish = () => {};
    pending.track(4000, new Promise<void>((resolve) => (finish = resolve)));
    expect(pending.holds(4000)).toBe(true);
    const t0 = Date.now();
    await pending.settled(100);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    finish();
    await pending.settled(5000);
    expect(pending.size).toBe(0);
    expect(pending.holds(4000)).toBe(false);
  });
});

describe('local UDP ports for connections', () => {
  it('holds free ports until one is taken, which is free to bind at once; avoids the ports it is told to', async () => {
    const avoided = new Set<number>();
    const ports = new LocalUdpPorts(3, (port) => avoided.has(port));
    closers.push(() => ports.close());
    expect(ports.take()).toBeUndefined();
    while (ports.available < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const port = ports.take() as number;
    expect(port).toBeGreaterThan(1024);
    const socket = createSocket({ type: 'udp6', ipv6Only: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '::', resolve);
    });
    socket.close();
    // Taken ports are not handed out twice while held; refilled up to the size.
    const next = [ports.take(), ports.take()];
    expect(next).not.toContain(port);
    while (ports.available < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ports.available).toBe(3);
  });
});
