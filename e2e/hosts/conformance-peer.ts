/*
 * A conformance peer on a lab host: PeerJS on @roamhq/wrtc for signaling and the control channel,
 * Ferry's pre-negotiated data channels on the same RTCPeerConnection, a real PeerSession with
 * files on disk, served to the test over JSON lines (src-main/transfer/conformance/rpc.ts).
 *   node --import tsx e2e/hosts/conformance-peer.ts <signalingUrl> <peerId> <name> <downloadDir> [dialPeerId]
 */
import type { DataConnection } from 'peerjs';
import {
  createHashWasmHasherFactory,
  maxMessageSizeFromSdp,
  openDataChannels,
  type RtcDataChannelLike,
  type RtcPeerConnectionLike,
  RtcFrameChannel,
} from '../../src-core/index.js';
import { LocalConformancePeer } from '../../src-main/transfer/conformance/peer.js';
import { serveConformancePeer } from '../../src-main/transfer/conformance/rpc.js';
import { createNodePeer, nodeRuntime, report } from './wrtc-peerjs.js';

const [signalingUrl, peerId, name, downloadDir, dial] = process.argv.slice(2) as [string, string, string, string, string | undefined];

const peer = createNodePeer(signalingUrl, peerId);
peer.on('error', (error) => report({ event: 'error', type: String(error.type), message: error.message }));

async function attach(connection: DataConnection): Promise<void> {
  report({ event: 'control-open' });
  const control = new RtcFrameChannel(connection.dataChannel as unknown as RtcDataChannelLike);
  const data = await openDataChannels(connection.peerConnection as unknown as RtcPeerConnectionLike);
  report({ event: 'data-open' });
  const hasher = await createHashWasmHasherFactory();
  const local = await LocalConformancePeer.create(name, downloadDir, { control, data }, nodeRuntime, hasher, {
    maxMessageSize: maxMessageSizeFromSdp(connection.peerConnection.remoteDescription?.sdp ?? undefined),
  });
  serveConformancePeer(local, process.stdin, process.stdout);
  local.start();
  await local.opened;
  report({ event: 'ready' });
}

peer.on('open', () => {
  report({ event: 'registered' });
  if (!dial) return;
  const connection = peer.connect(dial, { serialization: 'raw', reliable: true });
  connection.on('open', () => void attach(connection).catch((e: Error) => report({ event: 'error', message: e.message })));
});
peer.on('connection', (connection) => {
  connection.on('open', () => void attach(connection).catch((e: Error) => report({ event: 'error', message: e.message })));
});

process.on('SIGTERM', () => {
  peer.destroy();
  process.exit(0);
});
