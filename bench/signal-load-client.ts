/*
 * Simulated PeerJS clients for `npm run bench:signal`, one process per lab host:
 *   node --import tsx bench/signal-load-client.ts '<json options>'
 * Registers peers [from, to) of `total` over WebSocket as the PeerJS client does, keeps them
 * alive with HEARTBEATs, and on {"cmd":"relay"} (stdin) sends OFFER / ANSWER / CANDIDATE
 * messages at a steady rate to random peers of the whole population; every message carries its
 * send time (one machine, one clock), so receivers measure the relay latency. JSON lines out.
 * With `node` (a cluster run, bench/signal-cluster.ts: this process's peers are all on node
 * `node`) every message also carries its sender's node, and receivers bucket the latency by
 * local (same node) and cross-node.
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { benchPeerId } from './signal-ids.js';

interface Options {
  /** ws://host:port/path/ — the PeerJS WebSocket is <path>peerjs. */
  url: string;
  key: string;
  from: number;
  to: number;
  total: number;
  /** Extra query parameters (an access token, say). */
  query?: Record<string, string>;
  /** Connections opened at once while registering. */
  concurrency?: number;
  /** The cluster node these peers are registered on (its index): tags messages, buckets latency. */
  node?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const nowMs = () => performance.timeOrigin + performance.now();

// Sizes like the real thing: an SDP offer or answer is a few KiB, a candidate a few hundred bytes.
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n${'a=candidate-like-filler\r\n'.repeat(60)}`;
const CANDIDATE = { candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXb1 network-cost 999', sdpMid: '0', sdpMLineIndex: 0 };
const KINDS = ['OFFER', 'ANSWER', 'CANDIDATE', 'CANDIDATE'] as const;

const sockets: WebSocket[] = [];
const latencies: number[] = [];
const localLatencies: number[] = [];
const crossLatencies: number[] = [];
const slow: Array<[number, number]> = [];
let relayStartedAt = 0;
let received = 0;
let refused = 0;

function open(index: number): Promise<WebSocket | undefined> {
  const id = benchPeerId(index);
  const query = new URLSearchParams({ key: options.key, id, token: `t${index}`, version: '1.5.5', ...options.query });
  const socket = new WebSocket(`${options.url}peerjs?${query}`, { perMessageDeflate: false });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(undefined);
    }, 30_000);
    socket.on('message', (data) => {
      let message: { type?: string; payload?: { sentAt?: number; node?: number } };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'OPEN') {
        clearTimeout(timer);
        resolve(socket);
      } else if (message.type === 'ID-TAKEN' || message.type === 'ERROR') {
        clearTimeout(timer);
        refused++;
        socket.close();
        resolve(undefined);
      } else if (typeof message.payload?.sentAt === 'number') {
        received++;
        const latency = nowMs() - message.payload.sentAt;
        latencies.push(latency);
        if (options.node !== undefined && typeof message.payload.node === 'number') (message.payload.node === options.node ? localLatencies : crossLatencies).push(latency);
        // When the slow ones happened (ms into the run), to tell a stall from a slow path.
        if (latency > 50 && slow.length < 50) slow.push([Math.round(message.payload.sentAt - relayStartedAt), Math.round(latency)]);
      }
    });
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

async function register(): Promise<void> {
  const started = Date.now();
  let next = options.from;
  let failed = 0;
  const worker = async () => {
    while (next < options.to) {
      const index = next++;
      const socket = await open(index);
      if (socket) sockets.push(socket);
      else failed++;
      if ((sockets.length + failed) % 1000 === 0) say({ event: 'progress', registered: sockets.length, failed });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 100 }, worker));
  say({ event: 'registered', registered: sockets.length, failed, refused, seconds: (Date.now() - started) / 1000 });
}

// PeerJS clients send a HEARTBEAT every 5 s, each on its own clock: so do these, a slice of the
// sockets every 100 ms (50 slices), not all at once (which no real population does).
const HEARTBEAT_SLICES = 50;
let heartbeatSlice = 0;
const heartbeat = setInterval(() => {
  const slice = heartbeatSlice++ % HEARTBEAT_SLICES;
  for (let i = slice; i < sockets.length; i += HEARTBEAT_SLICES) {
    const socket = sockets[i];
    if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"HEARTBEAT"}');
  }
}, 5000 / HEARTBEAT_SLICES);

async function relay(rate: number, seconds: number): Promise<void> {
  latencies.length = 0;
  localLatencies.length = 0;
  crossLatencies.length = 0;
  received = 0;
  let sent = 0;
  const started = nowMs();
  relayStartedAt = started;
  slow.length = 0;
  const end = started + seconds * 1000;
  // Paced by the clock (not by setInterval's drift): send what is due every 10 ms.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = nowMs();
      const due = Math.min(rate * seconds, Math.floor(((now - started) / 1000) * rate));
      while (sent < due) {
        const from = sockets[Math.floor(Math.random() * sockets.length)];
        const kind = KINDS[sent % KINDS.length] ?? 'CANDIDATE';
        const dst = benchPeerId(Math.floor(Math.random() * options.total));
        const tag = options.node === undefined ? {} : { node: options.node };
        const payload = kind === 'CANDIDATE' ? { candidate: CANDIDATE, type: 'data', connectionId: `dc_${sent}`, sentAt: nowMs(), ...tag } : { sdp: { type: kind.toLowerCase(), sdp: SDP }, type: 'data', connectionId: `dc_${sent}`, sentAt: nowMs(), ...tag };
        if (from?.readyState === WebSocket.OPEN) from.send(JSON.stringify({ type: kind, dst, payload }));
        sent++;
      }
      if (now >= end) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  // Let the last messages arrive.
  await new Promise((r) => setTimeout(r, 1500));
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  const rounded = (list: number[]) => list.map((l) => Math.round(l * 100) / 100);
  const byNode = options.node === undefined ? {} : { local: rounded(localLatencies), cross: rounded(crossLatencies) };
  say({ event: 'relayed', sent, received, open, slow, latencies: rounded(latencies), ...byNode });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; rate?: number; seconds?: number };
  if (command.cmd === 'relay') void relay(command.rate ?? 500, command.seconds ?? 10);
  else if (command.cmd === 'quit') {
    clearInterval(heartbeat);
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});

void register();
