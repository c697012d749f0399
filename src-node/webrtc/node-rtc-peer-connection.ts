import { randomBytes } from 'node:crypto';
import { PeerConnection as NativePeerConnection } from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';
import { type IceServerInit, iceServersForPolyfill } from './ice-servers.js';
import { LocalUdpPorts } from './local-udp-ports.js';
import { isRelayCandidate, withRelayCandidatesOnly } from './relay-only.js';
import { PendingTurnReleases, releaseTurnAllocations, type TurnServerUse, udpTurnServers } from './turn-release.js';

/** The part of an RTCConfiguration PeerJS passes on to `new RTCPeerConnection(config)`. */
export interface NodeRtcConfiguration {
  iceServers?: readonly IceServerInit[];
  iceTransportPolicy?: 'all' | 'relay';
  [option: string]: unknown;
}

type PolyfillConfiguration = ConstructorParameters<typeof PolyfillPeerConnection>[0];
type NativeConfiguration = ConstructorParameters<typeof NativePeerConnection>[1];

/**
 * How long stats wait at most for ICE to settle on its pair. libjuice nominates the pair it
 * selected 2 s after selecting it at the latest (NOMINATION_TIMEOUT), sooner once no better pair
 * is still being checked.
 */
const SETTLE_MS = 3000;

/** TURN releases under way (turn-release.ts), for a stopping host to wait for. */
const pendingReleases = new PendingTurnReleases();
/** Local ports for connections with TURN servers: a link, its three stripes, a pairing or two at once. */
const localPorts = new LocalUdpPorts(6, (port) => pendingReleases.holds(port));
/** Connections not closed yet. */
const open = new Set<NodeRtcPeerConnection>();

/**
 * The ICE servers as the polyfill hands them to libdatachannel (`turn:user:pass@host`), from
 * servers already in the polyfill's form (iceServersForPolyfill).
 */
function nativeIceServers(servers: readonly IceServerInit[]): string[] {
  return servers.flatMap((server) =>
    (typeof server.urls === 'string' ? [server.urls] : server.urls).map((url) => {
      if (!server.username || !server.credential) return url;
      const at = url.indexOf(':');
      return `${url.slice(0, at)}:${server.username}:${server.credential}@${url.slice(at + 1)}`;
    }),
  );
}

/**
 * node-datachannel's RTCPeerConnection with what Ferry found missing fixed (see
 * peerjs-on-node.ts for the list). This is the class PeerJS finds as `RTCPeerConnection`.
 * It makes libdatachannel's connection itself (the polyfill takes one made for it), to bind the
 * local port it chose and to see ICE states the polyfill folds together.
 */
export class NodeRtcPeerConnection extends PolyfillPeerConnection {
  readonly #relayOnly: boolean;
  #closedHere = false;
  readonly #native: InstanceType<typeof NativePeerConnection>;
  /** Where this connection's TURN allocations live, to release them when it closes. */
  #allocations: { localPort: number; servers: TurnServerUse[] } | undefined;

  constructor(config: NodeRtcConfiguration = {}) {
    const iceServers = iceServersForPolyfill(config.iceServers);
    const servers = udpTurnServers(config.iceServers);
    // With a TURN server, bind a port we know: libjuice never releases its allocations itself.
    const localPort = servers.length > 0 ? localPorts.take() : undefined;
    const native = new NativePeerConnection(`peer-${randomBytes(4).toString('hex')}`, {
      ...config,
      iceServers: nativeIceServers(iceServers),
      ...(localPort === undefined ? {} : { portRangeBegin: localPort, portRangeEnd: localPort }),
    } as NativeConfiguration);
    try {
      super({ ...config, iceServers, peerConnection: native } as PolyfillConfiguration);
    } catch (error) {
      native.close();
      throw error;
    }
    this.#native = native;
    this.#relayOnly = config.iceTransportPolicy === 'relay';
    // libdatachannel ends a connection that fails before opening (DTLS "unknown CA": its race
    // of verifying the fingerprint before the answer is stored, libdatachannel#1612) with a
    // connection-state change only; the ICE 'closed' never reaches JS, and PeerJS watches only
    // the ICE state, so its connection would wait out Ferry's 20 s open timeout. Say it in the
    // ICE state too, once: PeerJS closes the connection and the dial is tried again at once.
    let iceEndTold = false;
    this.addEventListener('iceconnectionstatechange', () => {
      if (this.iceConnectionState === 'failed' || this.iceConnectionState === 'closed') iceEndTold = true;
    });
    this.addEventListener('connectionstatechange', () => {
      if (iceEndTold || this.#closedHere || native.state() !== 'closed') return;
      iceEndTold = true;
      this.dispatchEvent(new Event('iceconnectionstatechange'));
    });
    if (localPort !== undefined) this.#allocations = { localPort, servers };
    open.add(this);
  }

  /** Relay only: the peer's other candidates are not ours to check (relay-only.ts). */
  override async addIceCandidate(candidate?: { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null): Promise<void> {
    if (this.#relayOnly && candidate?.candidate && !isRelayCandidate(candidate.candidate)) return;
    return super.addIceCandidate(candidate);
  }

  override async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
    if (this.#relayOnly && description.sdp) return super.setRemoteDescription({ type: description.type, sdp: withRelayCandidatesOnly(description.sdp) });
    return super.setRemoteDescription(description);
  }

  /**
   * The stats of the pair ICE settles on. libjuice reports 'connected' on the first pair that
   * works, and data channels open over it, while better pairs are still being checked: behind
   * two NATs a relayed pair often works ~0.1–0.3 s before the direct one, which libjuice then
   * selects and nominates ('completed'). Asked meanwhile, stats wait for that (bounded), so a
   * path read from them is the one the connection keeps.
   */
  override async getStats(): Promise<unknown> {
    await this.#iceSettled();
    return super.getStats() as unknown;
  }

  #iceSettled(): Promise<void> {
    if (this.#native.iceState() !== 'connected') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.removeEventListener('iceconnectionstatechange', check);
        resolve();
      };
      const check = () => {
        if (this.#native.iceState() !== 'connected') done();
      };
      const timer = setTimeout(done, SETTLE_MS);
      this.addEventListener('iceconnectionstatechange', check);
    });
  }

  /** Closes the connection, then releases its TURN allocations (once libjuice let the port go). */
  override close(): void {
    this.#closedHere = true;
    open.delete(this);
    super.close();
    const allocations = this.#allocations;
    this.#allocations = undefined;
    if (allocations) pendingReleases.track(allocations.localPort, releaseTurnAllocations(allocations.localPort, allocations.servers));
  }
}

/** Starts holding local ports for connections to come (before the first one is made). */
export function prepareNodePeerConnections(): void {
  localPorts.warm();
}

/**
 * For a host that stops: closes every connection still open (PeerJS closes its own when
 * destroyed; this catches any it did not), and settles once their TURN allocations are released
 * or `timeoutMs` has passed.
 */
export async function closeNodePeerConnections(timeoutMs: number): Promise<void> {
  for (const connection of [...open]) connection.close();
  await pendingReleases.settled(timeoutMs);
}

/** Connections open and releases under way (for tests and diagnostics). */
export function nodePeerConnectionCounts(): { open: number; releasing: number } {
  return { open: open.size, releasing: pendingReleases.size };
}
