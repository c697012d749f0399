/*
 * A hostile signaling server for the man-in-the-middle lab test: it proxies a real Ferry
 * signaling server (HTTP as is; each PeerJS WebSocket to a WebSocket upstream with the same path
 * and query, message by message) and, for the victims it is told about, rewrites peer ids so a
 * victim's dial of a target reaches a relay instead, and the relay's answers look like the
 * target's. With no routes it is a transparent proxy.
 *   node --import tsx e2e/hosts/mitm-signal.ts <upstreamUrl> [bindHost]
 * stdin (JSON lines): {"cmd":"route","victim":V,"target":T,"via":R,"seq":n} | {"cmd":"clear","seq":n}
 * stdout (JSON lines): listening, registered (the server accepted an id), rewrote, ok (seq done)
 */
import http from 'node:http';
import { createInterface } from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';

const [upstreamText, bindHost = '0.0.0.0'] = process.argv.slice(2);
if (!upstreamText) {
  process.stderr.write('usage: mitm-signal <upstreamUrl> [bindHost]\n');
  process.exit(2);
}
const upstream = new URL(upstreamText);

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** victim id → (target id → relay id): what the victim dials as the target goes to the relay. */
const routes = new Map<string, Map<string, string>>();

type SignalMessage = { type?: unknown; src?: unknown; dst?: unknown };

function parse(text: string): SignalMessage | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as SignalMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** From the victim: `dst: target` becomes `dst: relay`. */
function rewriteOutgoing(victim: string, text: string): string {
  const table = routes.get(victim);
  const message = table && parse(text);
  if (!table || !message || typeof message.dst !== 'string') return text;
  const via = table.get(message.dst);
  if (via === undefined) return text;
  report({ event: 'rewrote', victim, direction: 'out', type: message.type, from: message.dst, to: via });
  return JSON.stringify({ ...message, dst: via });
}

/** To the victim: `src: relay` becomes `src: target`, so the relay's answers pass as the target's. */
function rewriteIncoming(victim: string, text: string): string {
  const table = routes.get(victim);
  const message = table && parse(text);
  if (!table || !message || typeof message.src !== 'string') return text;
  for (const [target, via] of table) {
    if (via !== message.src) continue;
    report({ event: 'rewrote', victim, direction: 'in', type: message.type, from: via, to: target });
    return JSON.stringify({ ...message, src: target });
  }
  return text;
}

function closeQuietly(socket: WebSocket): void {
  if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
  else if (socket.readyState === WebSocket.OPEN) socket.close();
}

/** One client WebSocket, relayed to its own upstream WebSocket. */
function relaySocket(client: WebSocket, request: http.IncomingMessage): void {
  const path = request.url ?? '/';
  const id = new URL(path, 'http://proxy').searchParams.get('id') ?? '';
  const origin = request.headers.origin;
  const server = new WebSocket(`ws://${upstream.host}${path}`, origin ? { headers: { origin } } : {});
  // What the client says before the upstream socket is open (PeerJS heartbeats, an early offer).
  const early: string[] = [];
  client.on('message', (data, isBinary) => {
    if (isBinary) return; // PeerJS signaling is JSON text only
    const text = rewriteOutgoing(id, data.toString());
    if (server.readyState === WebSocket.OPEN) server.send(text);
    else early.push(text);
  });
  server.on('open', () => {
    for (const text of early.splice(0)) server.send(text);
  });
  server.on('message', (data, isBinary) => {
    if (isBinary || client.readyState !== WebSocket.OPEN) return;
    const text = data.toString();
    if (parse(text)?.type === 'OPEN') report({ event: 'registered', id });
    client.send(rewriteIncoming(id, text));
  });
  client.on('close', () => closeQuietly(server));
  server.on('close', () => closeQuietly(client));
  client.on('error', () => closeQuietly(server));
  server.on('error', () => closeQuietly(client));
}

const httpServer = http.createServer((request, response) => {
  const proxied = http.request(
    { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  proxied.on('error', () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
  request.pipe(proxied);
});
const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
httpServer.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head, (client) => relaySocket(client, request)));
httpServer.listen(0, bindHost, () => {
  report({ event: 'listening', port: (httpServer.address() as { port: number }).port });
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; victim?: string; target?: string; via?: string; seq?: number };
  switch (command.cmd) {
    case 'route': {
      if (!command.victim || !command.target || !command.via) break;
      const table = routes.get(command.victim) ?? new Map<string, string>();
      // A relay id stands in for one target at a time: its answers must name that target.
      for (const [target, via] of table) if (via === command.via) table.delete(target);
      table.set(command.target, command.via);
      routes.set(command.victim, table);
      break;
    }
    case 'clear':
      routes.clear();
      break;
    default:
      report({ event: 'error', message: `unknown command ${command.cmd}` });
  }
  report({ event: 'ok', seq: command.seq });
});

process.on('SIGTERM', () => {
  for (const client of sockets.clients) client.terminate();
  httpServer.close();
  process.exit(0);
});
