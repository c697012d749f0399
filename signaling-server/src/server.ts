import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { webPageRouter } from './web-page.js';
import { ExpressPeerServer, type IClient, type IMessage } from 'peer';
import type { Logger } from 'pino';
import { type ServerOptions as WsServerOptions, WebSocketServer } from 'ws';
import type { AccessPolicy } from './access-token.js';
import { normaliseAddress } from './client-address.js';
import { type ClusterEvents, ClusterNode, type ClusterView } from './cluster/cluster-node.js';
import { registryPeers } from './cluster/registry-peers.js';
import type { RedisConfig } from './cluster/redis-link.js';
import { DEFAULTS } from './defaults.js';
import { type SignalingCounters, type SignalingEvents, Telemetry } from './events.js';
import { GuardedSocket, type SocketGuard } from './guarded-socket.js';
import { startHeartbeat } from './heartbeat.js';
import { createHttpApi } from './http-api.js';
import { NameCards } from './name-cards.js';
import type { IceServer } from './ice.js';
import { AddressLimiter } from './limits.js';
import { serverLogger } from './logging.js';
import { OfflineQueueCap } from './offline-queue.js';
import { isPeerId } from './peer-id.js';
import { CLOSE_GRACE_MS, refuseSocket } from './refusals.js';
import { UpgradeGate } from './gate.js';
import type { TurnConfig } from './turn-credentials.js';
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
  /** Reverse proxies whose X-Forwarded-For names the real client address. Default none. */
  trustedProxies?: readonly string[];
  /** Who may register (and ask /ice); absent: anyone with the key. */
  access?: AccessPolicy;
  /** STUN (or static TURN) entries GET /ice hands to clients. */
  iceServers?: readonly IceServer[];
  /** TURN URLs and coturn's shared secret: GET /ice adds short-lived credentials. */
  turn?: TurnConfig;
  /** Largest WebSocket message accepted; larger ones close the socket (1009). */
  maxMessageBytes?: number;
  /** A socket that answers no ping, or a peer that sends no heartbeat, for this long is dropped. */
  aliveTimeoutMs?: number;
  /** Peers registered at once. */
  maxPeers?: number;
  /** Per client address: open connections, and messages per second (token bucket); 0 = no limit. */
  limits?: { connectionsPerAddress?: number; messagesPerSecond?: number; messageBurst?: number };
  /** Messages held for one offline peer, and for how long. */
  queue?: { limit?: number; timeoutMs?: number };
  /** A LAN server's id (the app's embedded server): reported by /health so an advertisement can be checked. */
  serverId?: string;
  /**
   * GET /nearby lists the ids of the peers registered here, so apps on a LAN see each other.
   * On for the app's embedded server; off by default for self-hosted ones (it tells every
   * client who else is connected).
   */
  listPeers?: boolean;
  /**
   * A folder holding the browser page (out/web): served at /, so a browser with nothing installed
   * sends and receives with a code. On for the app's embedded server; off by default for
   * self-hosted ones.
   */
  webPage?: string;
  /**
   * Several nodes as one (docs/self-hosting.md, "A cluster"): ids, routing, held messages and
   * capacity shared through Redis. Absent: this node alone, as `peer` does it.
   */
  redis?: RedisConfig & { nodeId?: string };
  /** Hooks for metrics (see events.ts). */
  events?: SignalingEvents;
  /** Cluster hooks for metrics (cluster/cluster-metrics.ts). */
  clusterEvents?: ClusterEvents;
  /** Adds HTTP routes (e.g. /metrics, /status) in front of PeerJS, behind the origin check. */
  routes?: (router: express.Router) => void;
  logger?: Logger;
}

export interface SignalingServer {
  /** Base URL, e.g. http://127.0.0.1:9000/ (the PeerJS path is appended). */
  readonly url: string;
  readonly port: number;
  /** Ids of the peers registered right now. */
  peers(): string[];
  /** Live numbers and running totals, for metrics and status pages. */
  stats(): SignalingStats;
  /** The cluster as this node sees it; undefined without Redis. */
  cluster(): ClusterView | undefined;
  close(): Promise<void>;
}

export interface SignalingStats extends SignalingCounters {
  /** Peers registered now. */
  peers: number;
  /** WebSocket connections open now (registered or being refused). */
  sockets: number;
  /** Client addresses with connections or a recent one (per-address limits). */
  addresses: number;
  /** Offline peers with messages waiting. */
  offlineQueues: number;
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

/** peer checks for expired queues this often (its `cleanup_out_msgs`). */
const PEER_PRUNE_INTERVAL_MS = 1_000;
/** The message types `peer` relays (or queues for an offline destination). */
const RELAYED_TYPES: ReadonlySet<unknown> = new Set(['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE']);
/** A type `peer` has no handler for, so it ignores the message (see the "message" listener). */
const DROPPED = 'FERRY-DROPPED';

export async function startSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const log = serverLogger(options.logger);
  const host = options.host ?? DEFAULTS.host;
  const path = normalisePath(options.path ?? DEFAULTS.path);
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const trustedProxies = new Set((options.trustedProxies ?? []).map(normaliseAddress));
  const aliveTimeoutMs = options.aliveTimeoutMs ?? DEFAULTS.aliveTimeoutMs;
  const maxPeers = options.maxPeers ?? DEFAULTS.maxPeers;
  const queueTimeoutMs = options.queue?.timeoutMs ?? DEFAULTS.queueTimeoutMs;
  const telemetry = new Telemetry(options.events ?? {}, log);
  /** The peers registered now, as `peer` reports them. */
  const registry = new Map<string, IClient>();
  const limiter = new AddressLimiter({
    maxConnections: options.limits?.connectionsPerAddress ?? DEFAULTS.ipConnections,
    messagesPerSecond: options.limits?.messagesPerSecond ?? DEFAULTS.ipMessagesPerSecond,
    burst: options.limits?.messageBurst ?? DEFAULTS.ipMessageBurst,
  });
  // Margin for timer drift: forget a queue only once `peer` has surely pruned it.
  const queueCap = new OfflineQueueCap(options.queue?.limit ?? DEFAULTS.queueLimit, queueTimeoutMs + PEER_PRUNE_INTERVAL_MS + 500);

  const originAllowed = (origin: string | undefined): boolean =>
    allowedOrigins.size === 0 || origin === undefined || allowedOrigins.has(origin);

  const version = readServerVersion();
  const cluster = options.redis
    ? new ClusterNode(
        {
          redis: options.redis,
          ...(options.redis.nodeId === undefined ? {} : { nodeId: options.redis.nodeId }),
          aliveTimeoutMs,
          queueLimit: options.queue?.limit ?? DEFAULTS.queueLimit,
          queueTimeoutMs,
          exclusiveIds: options.access?.kind === 'shared',
          version,
          log,
          ...(options.clusterEvents ? { events: options.clusterEvents } : {}),
        },
        registryPeers(registry, telemetry, log),
      )
    : undefined;
  const peersNow = cluster ? () => cluster.peersInCluster() : () => registry.size;

  const nameCards = new NameCards();
  const app = express();
  app.disable('x-powered-by');
  app.use(
    createHttpApi(
      {
        originAllowed,
        trustedProxies,
        access: options.access,
        stunServers: options.iceServers ?? [],
        turn: options.turn,
        listPeers: options.listPeers ?? false,
        serverId: options.serverId,
        version,
        cluster: cluster ? () => cluster.view() : undefined,
        startedAt: Date.now(),
        peerIds: () => registry.keys(),
        peerCount: () => registry.size,
        isRegistered: (peerId) => registry.has(peerId),
        nameCards,
      },
      telemetry,
      log,
    ),
  );
  if (options.webPage) app.use(webPageRouter(options.webPage));
  if (options.routes) {
    const extra = express.Router();
    options.routes(extra);
    app.use(extra);
  }

  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, app)
    : http.createServer(app);
  // A client that opens a connection and sends nothing is dropped instead of held forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  // What the socket class needs per message: the rate check and the relay timing.
  let relayType: string | undefined;
  const guard: SocketGuard = {
    timesRelays: telemetry.timesRelays,
    admit(socket) {
      relayType = undefined;
      if (socket.address === undefined || limiter.take(socket.address)) return true;
      socket.endReason = 'cut-off';
      telemetry.refused('rate-limited', socket.address.address);
      log.info({ conn: socket.conn, ip: socket.address.address }, 'socket over the message rate; closed');
      refuseSocket(socket, 'rate-limited');
      return false;
    },
    handled(startedAt) {
      if (relayType === undefined) return;
      telemetry.relayed(relayType, telemetry.timesRelays ? performance.now() - startedAt : 0);
      relayType = undefined;
    },
  };

  let wss: WebSocketServer | undefined;
  let gate: UpgradeGate | undefined;
  const peerApp = ExpressPeerServer(server, {
    path: '/',
    key: options.key ?? DEFAULTS.key,
    alive_timeout: aliveTimeoutMs,
    expire_timeout: queueTimeoutMs,
    cleanup_out_msgs: PEER_PRUNE_INTERVAL_MS,
    concurrent_limit: maxPeers,
    allow_discovery: false,
    corsOptions: {
      origin: (origin: string | undefined, done: (err: Error | null, allow?: boolean) => void) =>
        done(null, originAllowed(origin)),
    },
    // peer hands us { path, server }. We take the upgrades ourselves (noServer), so every one
    // passes the gate first, and use our socket class for the message path.
    createWebSocketServer: (wsOptions: WsServerOptions) => {
      const created = new WebSocketServer({
        noServer: true,
        path: wsOptions.path,
        maxPayload: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
        perMessageDeflate: false,
        // ws 8.23 has this option (@types/ws lacks it): a closing socket whose peer never answers the close
        // frame is cut after this, not after 30 s, so refused and dead sockets do not linger.
        ...({ closeTimeout: CLOSE_GRACE_MS } as object),
        WebSocket: GuardedSocket,
      });
      gate = new UpgradeGate(
        created,
        { key: options.key ?? DEFAULTS.key, originAllowed, access: options.access, maxPeers, trustedProxies, peersNow, ...(cluster ? { cluster } : {}) },
        registry,
        limiter,
        guard,
        telemetry,
        log,
      );
      server.on('upgrade', gate.onUpgrade);
      wss = created;
      return created;
    },
  });

  peerApp.on('connection', (client: IClient) => {
    const id = client.getId();
    const socket = client.getSocket() as GuardedSocket | null;
    const address = socket?.address?.address ?? 'unknown';
    const known = registry.has(id);
    registry.set(id, client);
    if (!cluster) queueCap.delivered(id);
    if (known) {
      telemetry.reconnected(id, address);
    } else {
      telemetry.registered(id, address);
      log.info({ conn: socket?.conn, peer: id, ip: address }, 'peer registered');
    }
  });
  peerApp.on('disconnect', (client: IClient) => {
    const id = client.getId();
    if (registry.get(id) !== client) return;
    registry.delete(id);
    nameCards.forget(id);
    cluster?.release(id, client.getToken());
    // peer's own heartbeat check detaches the socket before telling us; otherwise it is the one that closed.
    const socket = client.getSocket() as GuardedSocket | null;
    const reason = socket === null ? 'timeout' : (socket.endReason ?? 'closed');
    telemetry.left(id, reason);
    log.info({ conn: socket?.conn, peer: id, reason }, 'peer left');
  });
  // Runs after `peer` parsed a message and before it routes it (peer 1.0.2 emits "message" on
  // the app first, with the same object). `peer`'s routing cannot be reached otherwise, so a
  // message to drop gets a type `peer` has no handler for, and `peer` ignores it.
  peerApp.on('message', (_client: IClient, message: IMessage) => {
    const type = message.type as unknown;
    if (!RELAYED_TYPES.has(type)) return; // HEARTBEAT, or something `peer` ignores anyway
    const dst = message.dst as unknown;
    if (!isPeerId(dst)) {
      // Queues for made-up ids, and LEAVE without dst (which makes `peer` forget the sender).
      (message as { type: string }).type = DROPPED;
      telemetry.refused('bad-destination', 'unknown');
      return;
    }
    if (registry.has(dst)) {
      relayType = type as string;
      return;
    }
    if (cluster) {
      // Not here: Redis knows where it is (or holds the message for it). `peer` must not queue it too.
      const routed = { ...message, type: type as string, src: message.src, dst };
      (message as { type: string }).type = DROPPED;
      cluster.route(routed);
      return;
    }
    if (type === 'LEAVE' || type === 'EXPIRE') return; // `peer` does not queue these
    if (queueCap.admit(dst)) {
      telemetry.queued(type as string);
    } else {
      (message as { type: string }).type = DROPPED;
      telemetry.refused('queue-full', 'unknown');
    }
  });
  // peer emits "error" for unparseable messages and socket errors; without a listener an
  // EventEmitter throws, which would take the whole server down on one bad frame.
  peerApp.on('error', (error: unknown) => {
    log.debug({ err: errorSummary(error) }, 'bad message or socket error');
  });
  app.use(path, peerApp);

  try {
    server.listen(options.port ?? DEFAULTS.port, host);
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
    throw new SignalingServerError('LISTEN_FAILED', `Could not listen on ${host}:${options.port}: ${(cause as Error).message}`, { cause });
  }
  if (wss === undefined || gate === undefined) throw new Error('peer did not create its WebSocket server');
  await cluster?.start();
  const sockets = wss;

  const stopHeartbeat = startHeartbeat(() => sockets.clients as Set<GuardedSocket>, aliveTimeoutMs);
  const sweeper = setInterval(() => {
    limiter.sweep();
    queueCap.sweep();
  }, 10_000);
  sweeper.unref();

  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `${options.tls ? 'https' : 'http'}://${formatHost(urlHost)}:${port}${path}`;
  log.info(
    {
      url, host, port, path, tls: Boolean(options.tls), access: options.access?.kind ?? 'none',
      turn: options.turn ? options.turn.urls.length : 0, trustedProxies: trustedProxies.size,
    },
    'signaling server listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    peers: () => [...registry.keys()],
    cluster: () => cluster?.view(),
    stats: () => ({
      ...telemetry.counters,
      left: { ...telemetry.counters.left },
      refused: { ...telemetry.counters.refused },
      peers: registry.size,
      sockets: sockets.clients.size,
      addresses: limiter.size,
      offlineQueues: queueCap.size,
    }),
    close: () => {
      closing ??= (async () => {
        stopHeartbeat();
        clearInterval(sweeper);
        await cluster?.close();
        for (const socket of sockets.clients) socket.terminate();
        sockets.close();
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
