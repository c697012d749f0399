import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IClient } from 'peer';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { type AccessPolicy, checkAccessToken } from './access-token.js';
import { clientAddress } from './client-address.js';
import type { ClusterNode } from './cluster/cluster-node.js';
import type { Telemetry } from './events.js';
import { type GuardedSocket, markAlive, type SocketGuard } from './guarded-socket.js';
import type { AddressLimiter } from './limits.js';
import { isPeerId } from './peer-id.js';
import { closeReplaced, refuseSocket, type WsRefusal } from './refusals.js';

export interface GateConfig {
  /** PeerJS API key. */
  key: string;
  originAllowed(origin: string | undefined): boolean;
  access: AccessPolicy | undefined;
  maxPeers: number;
  trustedProxies: ReadonlySet<string>;
  /** Peers counted against maxPeers: this node's, or the whole cluster's. */
  peersNow(): number;
  /** With Redis: ids are claimed cluster-wide before `peer` sees the socket. */
  cluster?: ClusterNode;
}

type Verdict = { refusal: WsRefusal; peerId?: string } | { refusal?: undefined; peerId: string; replaces?: GuardedSocket };

const OPEN_MESSAGE = JSON.stringify({ type: 'OPEN' });

/**
 * Every WebSocket upgrade passes here before `peer` sees it: origin, PeerJS parameters, id
 * format, access token, id ownership, server capacity and per-address connections. A refused
 * socket is told why (see refusals.ts) and never reaches `peer`, so it never registers.
 */
export class UpgradeGate {
  private connections = 0;

  constructor(
    private readonly wss: WebSocketServer,
    private readonly config: GateConfig,
    /** The peers registered now (kept by server.ts from `peer`'s events). */
    private readonly registry: ReadonlyMap<string, IClient>,
    private readonly limiter: AddressLimiter,
    private readonly guard: SocketGuard,
    private readonly telemetry: Telemetry,
    private readonly log: Logger,
  ) {}

  /** The http server's "upgrade" listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Paths other than PeerJS's get ws's plain 400.
    this.wss.handleUpgrade(req, socket, head, (ws) => this.admit(ws as GuardedSocket, req));
  };

  private admit(ws: GuardedSocket, req: IncomingMessage): void {
    // Before anything else: an "error" without a listener would throw and stop the server.
    ws.on('error', (error: Error & { code?: string }) => this.onSocketError(ws, error));
    const conn = ++this.connections;
    ws.conn = conn;
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.config.trustedProxies);
    const slot = this.limiter.open(address);
    if (slot === undefined) {
      this.refuse(ws, 'too-many-connections', conn, address);
      return;
    }
    // Refused sockets hold their slot until closed too (at most CLOSE_GRACE_MS).
    ws.once('close', () => this.limiter.close(slot));

    const verdict = this.check(req);
    if (verdict.refusal !== undefined) {
      this.refuse(ws, verdict.refusal, conn, address, verdict.peerId);
      return;
    }
    ws.address = slot;
    const cluster = this.config.cluster;
    if (cluster === undefined || verdict.replaces !== undefined) {
      this.accept(ws, req, verdict, conn, address);
      return;
    }
    // Two sockets for one id at once: the second waits for no answer (as on one node, the id is taken).
    if (cluster.isClaiming(verdict.peerId)) {
      this.refuse(ws, 'id-taken', conn, address, verdict.peerId);
      return;
    }
    // One id space across nodes: ask Redis first. The socket waits (paused, so nothing it sends is lost).
    ws.pause();
    const token = new URL(req.url ?? '', 'http://x').searchParams.get('token') ?? '';
    const { peerId } = verdict;
    void cluster
      .claim(peerId, token)
      .then((claim) => {
        const held = claim.kind === 'ok' ? claim.held : [];
        if (claim.kind === 'taken') {
          this.refuse(ws, 'id-taken', conn, address, peerId);
          return;
        }
        if (ws.readyState !== ws.OPEN) {
          cluster.abandon(peerId, token, held);
          return;
        }
        if (claim.kind === 'unchecked') this.log.warn({ conn, peer: peerId }, 'registered without asking redis (it is down); checked when it is back');
        this.accept(ws, req, verdict, conn, address);
        if (this.registry.get(peerId)?.getSocket() !== ws) {
          // `peer` refused it after all (its own limit): what waited for the id waits on.
          cluster.abandon(peerId, token, held);
          return;
        }
        // Messages another node held for this id while it was connected nowhere, then those that came meanwhile.
        for (const json of [...held, ...cluster.claimed(peerId)]) ws.send(json);
        ws.resume();
      })
      .catch((error: unknown) => {
        this.log.error({ conn, peer: peerId, err: { message: (error as Error)?.message } }, 'registration failed');
        ws.terminate();
      });
  }

  private accept(ws: GuardedSocket, req: IncomingMessage, verdict: Verdict & { refusal?: undefined }, conn: number, address: string): void {
    ws.guard = this.guard;
    ws.on('pong', markAlive);
    // peer 1.0.2 sends nothing to a reconnecting socket, so a PeerJS client would wait for an
    // "open" that never comes; say OPEN first, before `peer` delivers what was queued.
    if (verdict.replaces) ws.send(OPEN_MESSAGE);
    this.wss.emit('connection', ws, req);
    if (verdict.replaces) {
      // `peer` now routes the id to the new socket; the old one would linger, half-dead, and
      // could still send as this id. Tell it and close it.
      const old = verdict.replaces;
      old.endReason = 'closed';
      closeReplaced(old);
      this.log.info({ conn, peer: verdict.peerId, ip: address, replacedConn: old.conn }, 'peer reconnected; older socket closed');
    }
  }

  private check(req: IncomingMessage): Verdict {
    if (!this.config.originAllowed(req.headers.origin || undefined)) return { refusal: 'origin-not-allowed' };
    // peer reads the same three parameters from the query.
    const query = new URL(req.url ?? '', 'http://x').searchParams;
    const id = query.get('id') ?? '';
    const token = query.get('token') ?? '';
    const key = query.get('key') ?? '';
    if (this.config.access !== undefined && token === '' && id !== '' && key !== '') return { refusal: 'token-missing' };
    if (id === '' || token === '' || key === '') return { refusal: 'bad-request' };
    if (key !== this.config.key) return { refusal: 'invalid-key' };
    if (!isPeerId(id)) return { refusal: 'invalid-id' };
    if (this.config.access !== undefined) {
      const refusal = checkAccessToken(this.config.access, token, id, Date.now());
      if (refusal !== undefined) return { refusal, peerId: id };
    }
    const existing = this.registry.get(id);
    if (existing !== undefined) {
      // PeerJS's rule: the same token is the same client coming back; another token is someone
      // else. With a shared access token every client has the same token, so that rule would let
      // anyone holding it take over any connected id: there, a connected id is simply taken.
      const sameClient = this.config.access?.kind !== 'shared' && existing.getToken() === token;
      if (!sameClient) return { refusal: 'id-taken', peerId: id };
      const replaces = existing.getSocket() as GuardedSocket | null;
      return replaces ? { peerId: id, replaces } : { peerId: id };
    }
    if (this.config.peersNow() >= this.config.maxPeers) return { refusal: 'server-full', peerId: id };
    return { peerId: id };
  }

  private refuse(ws: GuardedSocket, reason: WsRefusal, conn: number, address: string, peerId?: string): void {
    this.telemetry.refused(reason, address);
    this.log.info({ conn, ip: address, peer: peerId, reason }, 'websocket refused');
    refuseSocket(ws, reason);
  }

  /** Protocol errors (bad frames, oversized messages): ws closes the socket itself (1002, 1009). */
  private onSocketError(ws: GuardedSocket, error: Error & { code?: string }): void {
    const address = ws.address?.address ?? 'unknown';
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.telemetry.refused('message-too-large', address);
    this.log.debug({ conn: ws.conn, ip: address, code: error.code }, 'websocket protocol error');
  }
}
