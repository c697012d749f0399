/*
 * Test only: the engine's PeerJS with a tap, so a lab test can make a genuine device misbehave
 * on real WebRTC — write raw bytes on its link's control channel or a data channel, as a hostile
 * implementation would, after an honest hello and session authentication. The engine itself is
 * untouched; this wraps its port (as wrtc-engine-peer.ts does for another stack).
 */
import type { RtcDataChannelLike } from '../../src-core/index.js';
import type { CreateSignalingPeer, DataConnectionPort } from '../../src-engine/index.js';

export interface FrameTaps {
  readonly createPeer: CreateSignalingPeer;
  /** Sends `bytes` on the newest open link: 'control' (its PeerJS channel) or a data channel's label. */
  inject(channel: string, bytes: Uint8Array): void;
}

export function withFrameTaps(create: CreateSignalingPeer): FrameTaps {
  /** The links' own connections (not stripes), oldest first, with the data channels made on them. */
  const links: Array<{ connection: DataConnectionPort; channels: Map<string, RtcDataChannelLike> }> = [];
  const record = (connection: DataConnectionPort | undefined) => {
    if (!connection || (connection as { metadata?: { ferryStripeOf?: unknown } }).metadata?.ferryStripeOf !== undefined) return;
    const channels = new Map<string, RtcDataChannelLike>();
    links.push({ connection, channels });
    const pc = connection.peerConnection as unknown as { createDataChannel(label: string, init?: unknown): RtcDataChannelLike } | undefined;
    if (!pc) return;
    const original = pc.createDataChannel.bind(pc);
    pc.createDataChannel = (label, init) => {
      const channel = original(label, init);
      channels.set(label, channel);
      return channel;
    };
  };
  return {
    createPeer: (id, options) => {
      const peer = create(id, options);
      const connect = peer.connect.bind(peer);
      peer.connect = (peerId, connectOptions) => {
        const connection = connect(peerId, connectOptions);
        record(connection);
        return connection;
      };
      peer.on('connection', (connection) => record(connection));
      return peer;
    },
    inject: (channel, bytes) => {
      for (let i = links.length - 1; i >= 0; i--) {
        const link = links[i];
        const target = channel === 'control' ? link?.connection.dataChannel : link?.channels.get(channel);
        if (target && target.readyState === 'open') {
          target.send(bytes.slice().buffer);
          return;
        }
      }
      throw new Error(`no open ${channel} channel to inject on`);
    },
  };
}
