import type { RtcDataChannelLike, RtcPeerConnectionLike } from '../../src-core/index.js';
import type { RtcStatsSource } from '../link/connection-path.js';

/*
 * The signaling client's view of PeerJS, typed structurally: the engine never imports PeerJS (it
 * needs a browser's globals). Each host hands the engine a factory: the browser page's over its
 * own WebRTC, the Node host's over node-datachannel's polyfill (src-node/webrtc).
 */

export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** What the engine reads of an RTCPeerConnection besides creating data channels. */
export interface PeerConnectionPort extends RtcPeerConnectionLike, RtcStatsSource {
  readonly localDescription: { readonly sdp: string } | null;
  readonly remoteDescription: { readonly sdp: string } | null;
}

/** A PeerJS DataConnection opened with `serialization: 'raw'`. */
export interface DataConnectionPort {
  /** The other device's peer id. */
  readonly peer: string;
  readonly connectionId: string;
  readonly metadata: unknown;
  readonly open: boolean;
  /** PeerJS creates it with the connection; undefined only for a connection that failed at once. */
  readonly peerConnection: PeerConnectionPort;
  /** The connection's own (control) DataChannel, once PeerJS made it. */
  readonly dataChannel: RtcDataChannelLike;
  on(event: 'open' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
}

export interface SignalingPeerOptions {
  host: string;
  port: number;
  path: string;
  secure: boolean;
  key: string;
  token?: string;
  config: { iceServers: IceServerConfig[]; iceTransportPolicy: 'relay' | 'all' };
  debug: 0 | 1 | 2 | 3;
}

/** A PeerJS error: `type` names it (peer-unavailable, unavailable-id, server-error, …). */
export interface SignalingPeerError {
  readonly type: string;
  readonly message: string;
}

/** A PeerJS `Peer`: this device (or a pairing slot) registered on the signaling server. */
export interface SignalingPeerPort {
  readonly disconnected: boolean;
  readonly destroyed: boolean;
  /** PeerJS reads `options.config` for every connection it makes: fresh TURN credentials go here. */
  readonly options: { config?: unknown };
  on(event: 'open', listener: (id: string) => void): unknown;
  on(event: 'connection', listener: (connection: DataConnectionPort) => void): unknown;
  on(event: 'disconnected' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: SignalingPeerError) => void): unknown;
  connect(peerId: string, options: { serialization: 'raw'; reliable: boolean; metadata?: unknown }): DataConnectionPort | undefined;
  reconnect(): void;
  destroy(): void;
}

export type CreateSignalingPeer = (id: string, options: SignalingPeerOptions) => SignalingPeerPort;
