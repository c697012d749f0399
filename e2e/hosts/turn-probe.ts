/*
 * A minimal STUN/TURN client (and STUN responder) over UDP, run on a lab host to look at the
 * network from there without a browser: what address a NAT maps a socket to, whether coturn
 * accepts a TURN credential, and a second STUN endpoint for telling NAT kinds apart. One JSON
 * command in, JSON lines out:
 *   node --import tsx e2e/hosts/turn-probe.ts '{"cmd":"allocate","server":"10.77.1.11:3478","username":"…","password":"…"}'
 * Commands:
 *   wait-stun   { server, timeoutMs }        until `server` answers a Binding request
 *   mapping     { servers: [a, b, …] }        one socket, a Binding request to each: the mapped addresses
 *   allocate    { server, username, password } TURN Allocate with long-term credentials (RFC 8656), then
 *                                             releases the allocation; says the error code when refused
 *   stun-server { host, port }                answers Binding requests until killed
 *   fetch-json  { url }                        GET url (say, ferry-signal's /ice): the status and JSON body
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

const MAGIC = 0x2112a442;
const BINDING = 0x0001;
const ALLOCATE = 0x0003;
const REFRESH = 0x0004;
const SUCCESS = 0x0100;

const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
} as const;

interface Message {
  type: number;
  transactionId: Buffer;
  attributes: Map<number, Buffer>;
}

interface Address {
  address: string;
  port: number;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

/** A STUN message; with `integrityKey`, MESSAGE-INTEGRITY (HMAC-SHA1) is appended last. */
function encode(type: number, transactionId: Buffer, attributes: Buffer[], integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  transactionId.copy(header, 8);
  if (!integrityKey) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // The length covers MESSAGE-INTEGRITY itself (RFC 8489 14.5), which covers all before it.
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', integrityKey).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR.messageIntegrity, mac)]);
}

function decode(data: Buffer): Message | undefined {
  if (data.length < 20 || data.readUInt32BE(4) !== MAGIC) return undefined;
  const length = data.readUInt16BE(2);
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  while (offset + 4 <= 20 + length && offset + 4 <= data.length) {
    const type = data.readUInt16BE(offset);
    const size = data.readUInt16BE(offset + 2);
    if (!attributes.has(type)) attributes.set(type, data.subarray(offset + 4, offset + 4 + size));
    offset += 4 + size + ((4 - (size % 4)) % 4);
  }
  return { type: data.readUInt16BE(0), transactionId: data.subarray(8, 20), attributes };
}

function xorAddress(value: Buffer | undefined): Address | undefined {
  if (!value || value.length < 8 || value[1] !== 0x01) return undefined;
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  const raw = value.readUInt32BE(4) ^ MAGIC;
  return { address: [raw >>> 24, (raw >>> 16) & 255, (raw >>> 8) & 255, raw & 255].join('.'), port };
}

function encodeXorAddress({ address, port }: Address): Buffer {
  const value = Buffer.alloc(8);
  value[1] = 0x01;
  value.writeUInt16BE(port ^ (MAGIC >>> 16), 2);
  const raw = address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  value.writeUInt32BE((raw ^ MAGIC) >>> 0, 4);
  return value;
}

function errorOf(message: Message): { code: number; reason: string } | undefined {
  const value = message.attributes.get(ATTR.errorCode);
  if (!value || value.length < 4) return undefined;
  return { code: ((value[2] as number) & 7) * 100 + (value[3] as number), reason: value.subarray(4).toString('utf8') };
}

function parseServer(server: string): Address {
  const at = server.lastIndexOf(':');
  return { address: server.slice(0, at), port: Number(server.slice(at + 1)) };
}

/** Sends a request and resolves with the answer to that transaction (retransmitted, bounded). */
function transact(socket: Socket, server: Address, request: Buffer, timeoutMs = 3000): Promise<Message> {
  const transactionId = request.subarray(8, 20);
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const message = decode(data);
      if (!message || !message.transactionId.equals(transactionId)) return;
      done();
      resolve(message);
    };
    const send = () => socket.send(request, server.port, server.address);
    const retry = setInterval(send, 250);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no answer from ${server.address}:${server.port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearInterval(retry);
      clearTimeout(timer);
      socket.off('message', onMessage);
    };
    socket.on('message', onMessage);
    send();
  });
}

async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  return socket;
}

async function binding(socket: Socket, server: Address, timeoutMs?: number): Promise<Address> {
  const answer = await transact(socket, server, encode(BINDING, randomBytes(12), []), timeoutMs);
  const mapped = xorAddress(answer.attributes.get(ATTR.xorMappedAddress));
  if (answer.type !== (BINDING | SUCCESS) || !mapped) throw new Error(`binding failed: type 0x${answer.type.toString(16)}`);
  return mapped;
}

async function waitForStun(server: Address, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const socket = await openSocket();
  try {
    for (;;) {
      try {
        await binding(socket, server, 500);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  } finally {
    socket.close();
  }
}

async function mapping(servers: Address[]): Promise<{ local: number; mapped: Address[] }> {
  const socket = await openSocket();
  try {
    const mapped: Address[] = [];
    for (const server of servers) mapped.push(await binding(socket, server));
    return { local: socket.address().port, mapped };
  } finally {
    socket.close();
  }
}

type AllocateResult =
  | { ok: true; relayed: Address; mapped: Address | undefined; realm: string }
  | { ok: false; code: number; reason: string; realm: string | undefined };

/** An Allocate as a TURN client makes it: unauthenticated, then again with the nonce and realm the 401 names. */
async function allocate(server: Address, username: string, password: string): Promise<AllocateResult> {
  const socket = await openSocket();
  const transport = Buffer.from([17, 0, 0, 0]); // UDP
  try {
    const challenge = await transact(socket, server, encode(ALLOCATE, randomBytes(12), [attribute(ATTR.requestedTransport, transport)]));
    const realm = challenge.attributes.get(ATTR.realm)?.toString('utf8');
    const nonce = challenge.attributes.get(ATTR.nonce);
    if (errorOf(challenge)?.code !== 401 || realm === undefined || !nonce) {
      return { ok: false, code: errorOf(challenge)?.code ?? 0, reason: `no challenge: ${errorOf(challenge)?.reason ?? `type 0x${challenge.type.toString(16)}`}`, realm };
    }
    const key = createHash('md5').update(`${username}:${realm}:${password}`).digest();
    const auth = [attribute(ATTR.username, Buffer.from(username)), attribute(ATTR.realm, Buffer.from(realm)), attribute(ATTR.nonce, nonce)];
    const answer = await transact(socket, server, encode(ALLOCATE, randomBytes(12), [attribute(ATTR.requestedTransport, transport), ...auth], key));
    if (answer.type !== (ALLOCATE | SUCCESS)) {
      const error = errorOf(answer);
      return { ok: false, code: error?.code ?? 0, reason: error?.reason ?? `type 0x${answer.type.toString(16)}`, realm };
    }
    const relayed = xorAddress(answer.attributes.get(ATTR.xorRelayedAddress));
    if (!relayed) return { ok: false, code: 0, reason: 'no relayed address', realm };
    // Release it: lifetime 0.
    const zero = Buffer.alloc(4);
    await transact(socket, server, encode(REFRESH, randomBytes(12), [attribute(ATTR.lifetime, zero), ...auth], key)).catch(() => undefined);
    return { ok: true, relayed, mapped: xorAddress(answer.attributes.get(ATTR.xorMappedAddress)), realm };
  } finally {
    socket.close();
  }
}

function stunServer(host: string, port: number): void {
  const socket = createSocket('udp4');
  socket.on('message', (data: Buffer, from: RemoteInfo) => {
    const message = decode(data);
    if (!message || message.type !== BINDING) return;
    const answer = encode(BINDING | SUCCESS, message.transactionId, [attribute(ATTR.xorMappedAddress, encodeXorAddress(from))]);
    socket.send(answer, from.port, from.address);
  });
  socket.bind(port, host, () => print({ event: 'listening', ...socket.address() }));
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

type Command =
  | { cmd: 'wait-stun'; server: string; timeoutMs?: number }
  | { cmd: 'mapping'; servers: string[] }
  | { cmd: 'allocate'; server: string; username: string; password: string }
  | { cmd: 'stun-server'; host: string; port: number }
  | { cmd: 'fetch-json'; url: string };

const command = JSON.parse(process.argv[2] ?? '{}') as Command;
try {
  switch (command.cmd) {
    case 'wait-stun':
      await waitForStun(parseServer(command.server), command.timeoutMs ?? 10_000);
      print({ event: 'stun-ready', server: command.server });
      break;
    case 'mapping':
      print({ event: 'mapping', ...(await mapping(command.servers.map(parseServer))) });
      break;
    case 'allocate':
      print({ event: 'allocate', ...(await allocate(parseServer(command.server), command.username, command.password)) });
      break;
    case 'stun-server':
      stunServer(command.host, command.port);
      break;
    case 'fetch-json': {
      const response = await fetch(command.url, { signal: AbortSignal.timeout(5000) });
      print({ event: 'fetched', status: response.status, body: (await response.json()) as unknown });
      break;
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}`);
  }
} catch (error) {
  print({ event: 'error', message: (error as Error).message });
  process.exitCode = 1;
}
