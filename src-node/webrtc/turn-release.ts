/*
 * TURN allocations released when a connection closes, as a browser releases them.
 *
 * libjuice (node-datachannel's ICE agent) never releases a TURN allocation: it asks for a 600 s
 * lifetime in every Allocate and Refresh (agent.c, `msg.lifetime = TURN_LIFETIME / 1000`, the only
 * place it sets one, libjuice 1.5 to 1.7.2), and closing the connection (libdatachannel's
 * ~IceTransport -> juice_destroy -> agent_destroy) only closes its socket. So every connection
 * a Node engine closed, or left behind when it quit, kept a relay on the operator's TURN server for
 * up to ten minutes; Chromium sends a Refresh with LIFETIME 0 instead (RFC 8656 7.2).
 *
 * The allocation belongs to the 5-tuple (our address and port, the server's, UDP), so this sends
 * that Refresh itself, once libjuice has let go of the socket: from the same local port (the
 * connection binds one this port chose, local-udp-ports.ts), with the same long-term credential
 * (the server asks for it: a 401 names the realm and a nonce). coturn, which checks a TURN REST
 * credential's expiry when a session authenticates first, keeps the key of the session: a
 * credential that expired since still releases its own allocation. Best effort, bounded: a
 * server that does not answer, a NAT that mapped the port anew, or a port taken in the meantime
 * leave the allocation to expire by its lifetime, as before.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { IceServerInit } from './ice-servers.js';

/** A TURN server over UDP (libjuice skips TCP and TLS), with the credential a connection used. */
export interface TurnServerUse {
  host: string;
  port: number;
  username: string;
  password: string;
}

/**
 * The UDP TURN servers among a connection's ICE servers, as libdatachannel reads their URLs:
 * `turn:host[:port][?transport=udp]` (default port 3478); `turns:` and `?transport=tcp` are not UDP.
 */
export function udpTurnServers(servers: readonly IceServerInit[] | undefined): TurnServerUse[] {
  const found: TurnServerUse[] = [];
  for (const server of servers ?? []) {
    if (!server.username || !server.credential) continue;
    for (const url of typeof server.urls === 'string' ? [server.urls] : server.urls) {
      const match = /^turn:(\[[^\]]+\]|[^:?[\]]+)(?::(\d+))?(?:\?(.*))?$/i.exec(url.trim());
      if (!match) continue;
      const transport = new URLSearchParams(match[3] ?? '').get('transport');
      if (transport && transport.toLowerCase() !== 'udp') continue;
      const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1');
      found.push({ host, port: Number(match[2] ?? 3478), username: server.username, password: server.credential });
    }
  }
  return found;
}

const MAGIC = 0x2112a442;
const REFRESH_REQUEST = 0x0004;
const REFRESH_SUCCESS = 0x0104;
const REFRESH_ERROR = 0x0114;
const ATTR_USERNAME = 0x0006;
const ATTR_MESSAGE_INTEGRITY = 0x0008;
const ATTR_ERROR_CODE = 0x0009;
const ATTR_LIFETIME = 0x000d;
const ATTR_REALM = 0x0014;
const ATTR_NONCE = 0x0015;

interface StunMessage {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over all before it) goes last. */
export function encodeStun(type: number, transactionId: Buffer, attributes: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  header.writeUInt32BE(MAGIC, 4);
  transactionId.copy(header, 8);
  if (!key) return Buffer.concat([header, body]);
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR_MESSAGE_INTEGRITY, mac)]);
}

export function decodeStun(data: Buffer): StunMessage | undefined {
  if (data.length < 20 || (data[0] as number) >> 6 !== 0 || data.readUInt32BE(4) !== MAGIC) return undefined;
  const end = Math.min(data.length, 20 + data.readUInt16BE(2));
  const attributes = new Map<number, Buffer>();
  for (let offset = 20; offset + 4 <= end; ) {
    const type = data.readUInt16BE(offset);
    const size = data.readUInt16BE(offset + 2);
    if (offset + 4 + size > end) break;
    if (!attributes.has(type)) attributes.set(type, data.subarray(offset + 4, offset + 4 + size));
    offset += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { type: data.readUInt16BE(0), transactionId: data.subarray(8, 20), attributes };
}

function errorCode(message: StunMessage): number | undefined {
  const value = message.attributes.get(ATTR_ERROR_CODE);
  return value && value.length >= 4 ? ((value[2] as number) & 7) * 100 + (value[3] as number) : undefined;
}

/** The long-term credential's key (RFC 8489 9.2.2): MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/** What became of one allocation: released, none there (437), or left to expire. */
export type ReleaseOutcome = 'released' | 'none' | 'failed';

interface Target {
  address: string;
  port: number;
  server: TurnServerUse;
}

/** A request, retransmitted (RFC 8489 6.2.1, from 100 ms) until its answer or the deadline. */
function transact(socket: Socket, target: Target, request: Buffer, deadline: number): Promise<StunMessage | undefined> {
  const transactionId = request.subarray(8, 20);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let rto = 100;
    const finish = (message: StunMessage | undefined) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(message);
    };
    const onMessage = (data: Buffer) => {
      const message = decodeStun(data);
      if (message && message.transactionId.equals(transactionId)) finish(message);
    };
    const send = () => {
      const left = deadline - Date.now();
      if (left <= 0) return finish(undefined);
      socket.send(request, target.port, target.address, () => {});
      timer = setTimeout(send, Math.min(rto, left));
      rto *= 2;
    };
    socket.on('message', onMessage);
    send();
  });
}

/** Refresh with LIFETIME 0: unauthenticated first, then with the realm and nonce the server names. */
async function refreshToZero(socket: Socket, target: Target, deadline: number): Promise<ReleaseOutcome> {
  const lifetime = attribute(ATTR_LIFETIME, Buffer.alloc(4));
  let answer = await transact(socket, target, encodeStun(REFRESH_REQUEST, randomBytes(12), [lifetime]), deadline);
  // A second challenge is a stale nonce (438): answer it once more with the new one.
  for (let round = 0; answer && round < 3; round++) {
    if (answer.type === REFRESH_SUCCESS) return 'released';
    if (answer.type !== REFRESH_ERROR) return 'failed';
    const code = errorCode(answer);
    if (code === 437) return 'none';
    const realm = answer.attributes.get(ATTR_REALM);
    const nonce = answer.attributes.get(ATTR_NONCE);
    if ((code !== 401 && code !== 438) || !realm || !nonce || round === 2) return 'failed';
    const { username, password } = target.server;
    const key = longTermKey(username, realm.toString('utf8'), password);
    const auth = [attribute(ATTR_USERNAME, Buffer.from(username, 'utf8')), attribute(ATTR_REALM, realm), attribute(ATTR_NONCE, nonce)];
    answer = await transact(socket, target, encodeStun(REFRESH_REQUEST, randomBytes(12), [lifetime, ...auth], key), deadline);
  }
  return 'failed';
}

/**
 * Binds `port` as libjuice did (IPv6 socket taking IPv4 too, else IPv4): retried until libjuice,
 * which closes its socket on its own thread after the connection closed, has let it go.
 */
async function bindPort(port: number, deadline: number): Promise<Socket | undefined> {
  for (let dualStack = true; ; ) {
    const socket = dualStack ? createSocket({ type: 'udp6', ipv6Only: false }) : createSocket('udp4');
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      socket.once('error', resolve);
      socket.bind({ port, address: dualStack ? '::' : '0.0.0.0' }, () => resolve(undefined));
    });
    if (!error) {
      socket.on('error', () => {});
      socket.unref();
      return socket;
    }
    closeQuietly(socket);
    if (error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL' || error.code === 'EINVAL') {
      if (!dualStack) return undefined;
      dualStack = false;
      continue;
    }
    if (error.code !== 'EADDRINUSE' || Date.now() + 25 >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Never bound: nothing to close.
  }
}

async function targetsOf(servers: readonly TurnServerUse[], dualStack: boolean): Promise<Target[]> {
  const targets: Target[] = [];
  for (const server of servers) {
    const addresses = isIP(server.host) ? [server.host] : await lookup(server.host, { all: true }).then((found) => found.map((a) => a.address), () => []);
    for (const address of addresses) {
      if (isIP(address) === 6 && !dualStack) continue;
      // From an IPv6 socket, an IPv4 server is reached at its mapped address (as libjuice does).
      targets.push({ address: dualStack && isIP(address) === 4 ? `::ffff:${address}` : address, port: server.port, server });
    }
  }
  return targets;
}

/**
 * Releases what a closed connection allocated on `servers` from `localPort`: a Refresh with
 * LIFETIME 0 to each, from that port, once it is free. Settles by `timeoutMs` whatever happens.
 */
export async function releaseTurnAllocations(localPort: number, servers: readonly TurnServerUse[], timeoutMs = 2000): Promise<ReleaseOutcome[]> {
  if (servers.length === 0) return [];
  const deadline = Date.now() + timeoutMs;
  const socket = await bindPort(localPort, deadline);
  if (!socket) return servers.map(() => 'failed');
  try {
    const targets = await targetsOf(servers, socket.address().family === 'IPv6');
    return await Promise.all(targets.map((target) => refreshToZero(socket, target, deadline)));
  } finally {
    closeQuietly(socket);
  }
}

/** Releases under way, so that a stopping host can wait for them (bounded). */
export class PendingTurnReleases {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #ports = new Set<number>();

  track(port: number, release: Promise<unknown>): void {
    const settled = release.catch(() => undefined).finally(() => {
      this.#pending.delete(settled);
      this.#ports.delete(port);
    });
    this.#pending.add(settled);
    this.#ports.add(port);
  }

  /** A port a release still needs: not to be handed to a new connection meanwhile. */
  holds(port: number): boolean {
    return this.#ports.has(port);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Settles once every release under way has, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#pending), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
