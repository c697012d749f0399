import type { ClusterView } from './cluster/cluster-node.js';
import express from 'express';
import type { Logger } from 'pino';
import { type AccessPolicy, checkAccessToken } from './access-token.js';
import { clientAddress } from './client-address.js';
import { isPairingSlotId } from './pairing-slots.js';
import type { Telemetry } from './events.js';
import type { IceServer } from './ice.js';
import { NAME_CARD_MAX_BYTES, type NameCards } from './name-cards.js';
import { isPeerId, PEER_ID_DESCRIPTION } from './peer-id.js';
import type { RefusalReason } from './refusals.js';
import { type TurnConfig, turnIceServer } from './turn-credentials.js';

export interface HttpApiConfig {
  originAllowed(origin: string | undefined): boolean;
  trustedProxies: ReadonlySet<string>;
  access: AccessPolicy | undefined;
  stunServers: readonly IceServer[];
  turn: TurnConfig | undefined;
  listPeers: boolean;
  serverId: string | undefined;
  version: string;
  /** With Redis: the cluster this node is part of (/health tells whether Redis is reachable). */
  cluster: (() => ClusterView) | undefined;
  startedAt: number;
  peerIds(): Iterable<string>;
  peerCount(): number;
  isRegistered(peerId: string): boolean;
  nameCards: NameCards;
}

/** Per-request facts for logs and refusals. */
interface Locals {
  requestId: number;
  address: string;
}

/**
 * The operator-facing HTTP endpoints, and the origin check in front of every HTTP route
 * (PeerJS's own included): a browser page from a disallowed origin gets a 403 with a reason,
 * not a response it could read through a permissive CORS header.
 */
export function createHttpApi(config: HttpApiConfig, telemetry: Telemetry, log: Logger): express.Router {
  const router = express.Router();
  let requests = 0;

  router.use((req, res, next) => {
    const locals = res.locals as Locals;
    locals.requestId = ++requests;
    locals.address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustedProxies);
    const origin = req.headers.origin;
    if (origin !== undefined && !config.originAllowed(origin)) {
      refuse(res, 403, 'origin-not-allowed', 'This web origin is not allowed to use this signaling server.');
      return;
    }
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    next();
  });

  function refuse(res: express.Response, status: number, reason: RefusalReason, message: string): void {
    const { requestId, address } = res.locals as Locals;
    telemetry.refused(reason, address);
    log.info({ req: requestId, ip: address, path: res.req.path, reason }, 'http request refused');
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="ferry-signal"');
    res.status(status).json({ error: reason, message });
  }

  /** With access tokens on, the token again (Authorization: Bearer, or ?token=). */
  function authorised(req: express.Request, res: express.Response, peerId: string | undefined): boolean {
    const policy = config.access;
    if (policy === undefined) return true;
    if (policy.kind === 'hmac' && peerId === undefined) {
      refuse(res, 400, 'bad-request', 'Per-device tokens are bound to a peer id: ask with ?peer=<your peer id>.');
      return false;
    }
    const header = req.headers.authorization;
    const bearer = header !== undefined && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const token = bearer ?? (typeof req.query.token === 'string' ? req.query.token : undefined);
    const refusal = checkAccessToken(policy, token, peerId ?? '', Date.now());
    if (refusal === undefined) return true;
    const messages = {
      'token-missing': 'This signaling server needs an access token (Authorization: Bearer <token>).',
      'token-invalid': 'The access token is not valid on this signaling server.',
      'token-expired': 'The access token has expired; ask the server operator for a new one.',
    } as const;
    refuse(res, 401, refusal, messages[refusal]);
    return false;
  }

  /** ?peer=<id>: absent, or a well-formed Ferry peer id. */
  function peerParam(req: express.Request, res: express.Response): { ok: true; peerId: string | undefined } | { ok: false } {
    const peer = req.query.peer;
    if (peer === undefined) return { ok: true, peerId: undefined };
    if (isPeerId(peer)) return { ok: true, peerId: peer };
    refuse(res, 400, 'invalid-id', `?peer must be a Ferry peer id: ${PEER_ID_DESCRIPTION}.`);
    return { ok: false };
  }

  router.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      peers: config.peerCount(),
      uptimeSeconds: Math.floor((Date.now() - config.startedAt) / 1000),
      version: config.version,
      ...(config.serverId ? { serverId: config.serverId, lanVersion: 1 } : {}),
      ...clusterHealth(config.cluster?.()),
    });
  });

  // Browsers preflight /ice when it carries an Authorization header.
  router.options('/ice', (_req, res) => {
    res.setHeader('Access-Control-Allow-Methods', 'GET');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  });

  router.get('/ice', (req, res) => {
    const peer = peerParam(req, res);
    if (!peer.ok || !authorised(req, res, peer.peerId)) return;
    // Credentials: never cached by a proxy or the browser.
    res.setHeader('Cache-Control', 'no-store');
    const iceServers = [...config.stunServers];
    if (config.turn === undefined) {
      telemetry.iceServed(false);
      res.json({ iceServers });
      return;
    }
    const { server, expiresAt } = turnIceServer(config.turn, Date.now(), peer.peerId);
    iceServers.push(server);
    telemetry.iceServed(true);
    const { requestId, address } = res.locals as Locals;
    log.debug({ req: requestId, ip: address, peer: peer.peerId, expiresAt }, 'ice servers with TURN credentials served');
    // ttl and expiresAt (unix seconds) tell clients when to ask again.
    res.json({ iceServers, ttl: config.turn.ttlSeconds, expiresAt });
  });

  router.get('/nearby', (req, res) => {
    if (!config.listPeers) {
      res.status(404).json({ error: 'not-listed', message: 'This server does not list its peers.' });
      return;
    }
    const peer = peerParam(req, res);
    if (!peer.ok || !authorised(req, res, peer.peerId)) return;
    // Bounded: a LAN has a handful of devices; a crowded server answers with the first 200.
    const peers: string[] = [];
    const cards: Record<string, unknown> = {};
    for (const id of config.peerIds()) {
      if (peers.length === 200) break;
      // A pairing code's slot is registered beside a device's own id: it is no device.
      if (isPairingSlotId(id)) continue;
      peers.push(id);
      const card = config.nameCards.get(id);
      if (card !== undefined) cards[id] = card;
    }
    res.json({ peers, cards });
  });

  // A registered peer's name card, shown to the others with the listing (checked by them).
  router.post('/nearby/card', express.json({ limit: NAME_CARD_MAX_BYTES }), (req, res) => {
    if (!config.listPeers) {
      res.status(404).json({ error: 'not-listed', message: 'This server does not list its peers.' });
      return;
    }
    const peer = peerParam(req, res);
    if (!peer.ok || !authorised(req, res, peer.peerId)) return;
    if (peer.peerId === undefined || !config.isRegistered(peer.peerId)) {
      refuse(res, 400, 'bad-request', 'A name card is for a peer registered here now: ask with ?peer=<your peer id>.');
      return;
    }
    const card: unknown = req.body;
    if (typeof card !== 'object' || card === null || Array.isArray(card)) {
      refuse(res, 400, 'bad-request', 'A name card is a JSON object.');
      return;
    }
    config.nameCards.set(peer.peerId, card);
    res.json({ ok: true });
  });

  // A body too big or not JSON: said in JSON, never express's default page (it shows a stack).
  router.use((error: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (error.type === 'entity.too.large') refuse(res, 413, 'bad-request', `A name card is at most ${NAME_CARD_MAX_BYTES} bytes.`);
    else if (error.type === 'entity.parse.failed') refuse(res, 400, 'bad-request', 'The body is not JSON.');
    else next(error);
  });

  return router;
}

/** /health's cluster part: this node's name, Redis up or down, and the cluster's size. */
function clusterHealth(view: ClusterView | undefined): Record<string, unknown> {
  if (view === undefined) return {};
  return { node: view.node, redis: view.redis, cluster: { nodes: view.nodes.length, peers: view.peers } };
}
