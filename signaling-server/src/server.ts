import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type ServerOptions as WsServerOptions } from 'ws';
import type { IceServer } from './ice.js';
import { readServerVersion } from './version.js';

export interface SignalingServerOptions {
  /** TCP port; 0 picks a free one. Default 9000. */
  port?: number;
  /** Interface to bind. Default "0.0.0.0"; the embedded server passes "127.0.0.1". */
  host?: string;
  /** Where the PeerJS API is mounted. Default "/". */
  path?: string;
  /** PeerJS API key clients must present. Default "peerjs" (PeerJS's own default). */
  key?: string;
  /** PEM certificate and key: serve https/wss instead of http/ws. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Browser origins allowed to use the server; empty or absent allows every origin. */
  allowedOrigins?: readonly string[];
  /** What GET /ice hands to clients. */
  iceServers?: readonly IceServer[];
  /** Largest WebSocket message accepted; larger ones close the socket (1009). */
  maxMessageBytes?: number;
  /** A peer that sends nothing (not even heartbeats) for this long is dropped. */
  aliveTimeoutMs?: number;
  /** A LAN server's id (the app's embedded server): reported by /health so an advertisement can be checked. */
  serverId?: string;
  /**
   * GET /nearby lists the ids of the peers registered here, so apps on a LAN see each other.
   * On for the app's embedded server; off by default for self-hosted ones (it tells every
   * client who else is connected).
   */
  listPeers?: boolean;
  logger?: Logger;
}

export interface SignalingServer {
  /** Base URL, e.g. http://127.0.0.1:9000/ (the PeerJS path is appended). */
  readonly url: string;
  readonly port: number;
  /** Ids of the peers registered right now. */
  peers(): string[];
  close(): Promise<void>;
}

export class SignalingServerError extends Error {
  override readonly name = 'SignalingServerError';
  constructor(
    readonly code: 'PORT_IN_USE' | 'LISTEN_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// An SDP offer with many candidates is a few KiB; 64 KiB leaves room and bounds memory per frame.
const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export async function startSignalingServer(
  options: SignalingServerOptions = {},
): Promise<SignalingServer> {
  const log = options.logger ?? pino({ level: 'silent' });
  const host = options.host ?? '0.0.0.0';
  const path = normalisePath(options.path ?? '/');
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const iceServers = [...(options.iceServers ?? [])];
  const version = readServerVersion();
  const startedAt = Date.now();
  const peers = new Set<string>();

  const originAllowed = (origin: string | undefined): boolean =>
    allowedOrigins.size === 0 || origin === undefined || allowedOrigins.has(origin);

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      peers: peers.size,
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      version,
      ...(options.serverId ? { serverId: options.serverId, lanVersion: 1 } : {}),
    });
  });
  const allowCors = (req: express.Request, res: express.Response) => {
    const origin = req.headers.origin;
    if (origin !== undefined && originAllowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
  };
  app.get('/ice', (req, res) => {
    allowCors(req, res);
    res.json({ iceServers });
  });
  app.get('/nearby', (req, res) => {
    if (!options.listPeers) {
      res.status(404).json({ error: 'This server does not list its peers.' });
      return;
    }
    allowCors(req, res);
    // Bounded: a LAN has a handful of devices; a crowded server answers with the first 200.
    res.json({ peers: [...peers].slice(0, 200) });
  });

  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, app)
    : http.createServer(app);
  // A client that opens a connection and sends nothing is dropped instead of held forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  const sockets = new Set<WebSocketServer>();
  const peerApp = ExpressPeerServer(server, {
    path: '/',
    key: options.key ?? 'peerjs',
    alive_timeout: options.aliveTimeoutMs ?? 60_000,
    allow_discovery: false,
    corsOptions: {
      origin: (origin: string | undefined, done: (err: Error | null, allow?: boolean) => void) =>
        done(null, originAllowed(origin)),
    },
    createWebSocketServer: (wsOptions: WsServerOptions) => {
      const wss = new WebSocketServer({
        ...wsOptions,
        maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
        verifyClient: ({ origin }: { origin: string | undefined }) => {
          const ok = originAllowed(origin || undefined);
          if (!ok) log.warn({ origin }, 'websocket refused: origin not allowed');
          return ok;
        },
      });
      sockets.add(wss);
      return wss;
    },
  } as Parameters<typeof ExpressPeerServer>[1]);

  peerApp.on('connection', (client) => {
    peers.add(client.getId());
    log.info({ peer: client.getId() }, 'peer registered');
  });
  peerApp.on('disconnect', (client) => {
    peers.delete(client.getId());
    log.info({ peer: client.getId() }, 'peer left');
  });
  // peer emits "error" for unparseable messages and socket errors; without a listener an
  // EventEmitter throws, which would take the whole server down on one bad frame.
  peerApp.on('error', (error: unknown) => {
    // Listen failures reach here too (ws re-emits them); listen() below reports those.
    if ((error as NodeJS.ErrnoException).syscall === 'listen') return;
    log.warn({ err: errorSummary(error) }, 'bad message or socket error');
  });
  app.use(path, peerApp);

  try {
    server.listen(options.port ?? 9000, host);
    await once(server, 'listening');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new SignalingServerError(
        'PORT_IN_USE',
        `Port ${options.port} on ${host} is already in use. Stop the other program or choose another port with --port.`,
        { cause },
      );
    }
    throw new SignalingServerError(
      'LISTEN_FAILED',
      `Could not listen on ${host}:${options.port}: ${(cause as Error).message}`,
      { cause },
    );
  }

  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `${options.tls ? 'https' : 'http'}://${formatHost(urlHost)}:${port}${path}`;
  log.info({ url, host, port, path, tls: Boolean(options.tls) }, 'signaling server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    peers: () => [...peers],
    close: () => {
      closing ??= (async () => {
        for (const wss of sockets) {
          for (const socket of wss.clients) socket.terminate();
          wss.close();
        }
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await closed;
        log.info('signaling server closed');
      })();
      return closing;
    },
  };
}

function normalisePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`;
  return trimmed === '/' ? '/' : `${trimmed}/`;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function errorSummary(error: unknown): { name?: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message.slice(0, 200) }
    : { message: String(error).slice(0, 200) };
}
