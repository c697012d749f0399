/*
 * A lab peer on the Node host's WebRTC port (src-node/webrtc: PeerJS on node-datachannel), using
 * the data plane the way the engine does: PeerJS's raw DataChannel for control, the core's
 * pre-negotiated channels (openDataChannels) for data, its RtcFrameChannel for bytes and
 * backpressure. Driven by JSON lines on stdin; reports JSON lines on stdout.
 * Run inside a lab host: node --import tsx e2e/hosts/ndc-peer.ts <signalingUrl> <peerId>
 */
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { initLogger } from 'node-datachannel';
import {
  channelBinding,
  type DataChannels,
  type DeliveryMode,
  maxMessageSizeFromSdp,
  openDataChannels,
  RtcFrameChannel,
  sdpFingerprints,
} from '../../src-core/index.js';
import { connectionPath } from '../../src-engine/link/connection-path.js';
import type { DataConnectionPort, IceServerConfig } from '../../src-engine/ports/signaling.js';
import { createNodeSignalingPeer } from '../../src-node/webrtc/peerjs-on-node.js';

const args = process.argv.slice(2);
if (args.length !== 2) {
  process.stderr.write('usage: ndc-peer <signalingUrl> <peerId>\n');
  process.exit(2);
}
const [signalingUrl, peerId] = args as [string, string];

// Counts the native peer connections node-datachannel makes while the port loads PeerJS (it
// should make none: PeerJS's load-time probe must not reach the network).
let nativePeerConnections = 0;
initLogger('Debug', (_level, message) => {
  if (message.includes('Creating a new Peer Connection')) nativePeerConnections++;
});

/** Blast frames: [u32 sequence][u32 chunk count][payload]. */
const HEADER = 8;
const BLAST_FRAME = 64 * 1024;
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/** When a link creates its pre-negotiated channels: with the connection (before it is up), or once open. */
type ChannelsAt = 'start' | 'open';

interface Link {
  label: string;
  role: 'dialer' | 'acceptor';
  connection: DataConnectionPort;
  control: RtcFrameChannel | undefined;
  data: Promise<DataChannels> | undefined;
}

const links = new Map<string, Link>();

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...event, at: Date.now() })}\n`);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function signalingOptions(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port),
    path: parsed.pathname,
    secure: false,
    key: 'peerjs',
    config: { iceServers: [] as IceServerConfig[], iceTransportPolicy: 'all' as 'all' | 'relay' },
    // 2: PeerJS's warnings too (the port says so when it drops a signaling message).
    debug: 2 as const,
  };
}

const peer = createNodeSignalingPeer(peerId, signalingOptions(signalingUrl));
peer.on('open', (id) => {
  report({ event: 'registered', peerId: id, nativePeerConnections });
  // From now on only libdatachannel's warnings, into the log.
  initLogger('Warning', (level, message) => report({ event: 'ndc-log', level, message }));
});
peer.on('error', (error) => report({ event: 'peer-error', type: error.type, message: error.message }));
peer.on('connection', (connection) => {
  const { label, channelsAt } = connection.metadata as { label: string; channelsAt: ChannelsAt };
  report({ event: 'connection', label, from: connection.peer });
  attach({ label, role: 'acceptor', connection, control: undefined, data: undefined }, channelsAt);
});

function attach(link: Link, channelsAt: ChannelsAt): void {
  links.set(link.label, link);
  const { connection } = link;
  // Right after PeerJS made the RTCPeerConnection: before ICE, DTLS or SCTP are up.
  if (channelsAt === 'start') link.data = openChannels(link);
  connection.on('open', () => {
    link.control = new RtcFrameChannel(connection.dataChannel);
    listenControl(link, link.control);
    link.data ??= openChannels(link);
    void link.data.then(() => opened(link));
  });
  connection.on('close', () => report({ event: 'connection-closed', label: link.label }));
  connection.on('error', (error) => report({ event: 'connection-error', label: link.label, message: error.message }));
}

function openChannels(link: Link): Promise<DataChannels> {
  const data = openDataChannels(link.connection.peerConnection);
  void data.then((channels) => {
    for (const [mode, channel] of Object.entries(channels) as [DeliveryMode, DataChannels[DeliveryMode]][]) {
      channel.onClose(() => report({ event: 'channel-closed', label: link.label, mode }));
      if (mode === 'reliable-ordered') receiveBlast(link, channel);
      else receiveBurst(link, mode, channel);
    }
  });
  return data;
}

async function opened(link: Link): Promise<void> {
  const pc = link.connection.peerConnection;
  const localSdp = pc.localDescription?.sdp ?? '';
  const remoteSdp = pc.remoteDescription?.sdp ?? '';
  let path = await connectionPath(pc);
  for (let i = 0; i < 20 && path === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    path = await connectionPath(pc);
  }
  let binding: string | undefined;
  try {
    binding = channelBinding(localSdp, remoteSdp);
  } catch (error) {
    binding = `failed: ${(error as Error).message}`;
  }
  const stats: unknown[] = [];
  (await pc.getStats()).forEach((entry) => stats.push(entry));
  report({
    event: 'link-open',
    label: link.label,
    role: link.role,
    path,
    binding,
    localFingerprints: sdpFingerprints(localSdp),
    remoteFingerprints: sdpFingerprints(remoteSdp),
    remoteCandidates: remoteSdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:')),
    remoteMaxMessageSizeLine: /^a=max-message-size:\d+\s*$/m.test(remoteSdp),
    maxMessageSize: maxMessageSizeFromSdp(remoteSdp),
    stats,
  });
}

/** Control messages: [u32 index][u32 count][random payload]; the receiver reports their digests. */
function listenControl(link: Link, control: RtcFrameChannel): void {
  const digests: string[] = [];
  control.onMessage((frame) => {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const index = view.getUint32(0);
    const count = view.getUint32(4);
    digests.push(`${index}:${sha256(frame.subarray(HEADER))}`);
    if (index === count - 1) report({ event: 'control-received', label: link.label, digests: digests.splice(0) });
  });
}

function sendControl(link: Link, sizes: readonly number[]): void {
  const control = link.control;
  if (!control) throw new Error(`link ${link.label} is not open`);
  const digests = sizes.map((size, index) => {
    const frame = new Uint8Array(HEADER + size);
    const view = new DataView(frame.buffer);
    view.setUint32(0, index);
    view.setUint32(4, sizes.length);
    frame.set(randomBytes(size), HEADER);
    control.send(frame);
    return `${index}:${sha256(frame.subarray(HEADER))}`;
  });
  report({ event: 'control-sent', label: link.label, digests });
}

function receiveBlast(link: Link, channel: DataChannels['reliable-ordered']): void {
  let expected = 0;
  let bytes = 0;
  let inOrder = true;
  const hash = createHash('sha256');
  channel.onMessage((frame) => {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const sequence = view.getUint32(0);
    const count = view.getUint32(4);
    if (sequence !== expected) inOrder = false;
    expected = sequence + 1;
    const payload = frame.subarray(HEADER);
    bytes += payload.byteLength;
    hash.update(payload);
    if (sequence === count - 1) report({ event: 'blast-received', label: link.label, bytes, chunks: expected, inOrder, sha256: hash.digest('hex') });
  });
}

/** Sends `total` bytes as fast as the channel takes them, backing off on bufferedAmount. */
async function blast(link: Link, total: number): Promise<void> {
  const channel = (await (link.data as Promise<DataChannels>))['reliable-ordered'];
  const payloadSize = BLAST_FRAME - HEADER;
  const count = Math.ceil(total / payloadSize);
  const hash = createHash('sha256');
  const source = randomBytes(total);
  let sequence = 0;
  let lowEvents = 0;
  let maxBuffered = 0;
  const started = performance.now();
  channel.setLowWaterMark(LOW_WATER);
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sequence < count && channel.bufferedAmount < HIGH_WATER) {
        const payload = source.subarray(sequence * payloadSize, Math.min(total, (sequence + 1) * payloadSize));
        const frame = new Uint8Array(HEADER + payload.byteLength);
        const view = new DataView(frame.buffer);
        view.setUint32(0, sequence);
        view.setUint32(4, count);
        frame.set(payload, HEADER);
        hash.update(payload);
        channel.send(frame);
        sequence++;
        maxBuffered = Math.max(maxBuffered, channel.bufferedAmount);
      }
      if (sequence === count) {
        off();
        resolve();
      }
    };
    const off = channel.onBufferedAmountLow(() => {
      lowEvents++;
      pump();
    });
    pump();
  });
  report({
    event: 'blast-sent',
    label: link.label,
    bytes: total,
    chunks: count,
    sha256: hash.digest('hex'),
    lowEvents,
    maxBuffered,
    ms: Math.round(performance.now() - started),
  });
}

function receiveBurst(link: Link, mode: DeliveryMode, channel: DataChannels[DeliveryMode]): void {
  const digests: string[] = [];
  channel.onMessage((frame) => {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const index = view.getUint32(0);
    const count = view.getUint32(4);
    digests.push(`${index}:${sha256(frame.subarray(HEADER))}`);
    if (digests.length === count) report({ event: 'burst-received', label: link.label, mode, digests: digests.splice(0).sort() });
  });
}

async function burst(link: Link, mode: DeliveryMode, count: number, size: number): Promise<void> {
  const channel = (await (link.data as Promise<DataChannels>))[mode];
  const digests: string[] = [];
  for (let index = 0; index < count; index++) {
    const frame = new Uint8Array(HEADER + size);
    const view = new DataView(frame.buffer);
    view.setUint32(0, index);
    view.setUint32(4, count);
    frame.set(randomBytes(size), HEADER);
    channel.send(frame);
    digests.push(`${index}:${sha256(frame.subarray(HEADER))}`);
  }
  report({ event: 'burst-sent', label: link.label, mode, digests: digests.sort() });
}

/**
 * What a hostile peer can send through the signaling server to crash a PeerJS host in Node, each
 * from a fresh Peer of this process: an offer with a serialization PeerJS has no class for, an
 * offer without a payload, and a json connection whose first message is not JSON.
 */
type Attack = 'unknown-serialization' | 'no-payload' | 'json-garbage';

function hostile(target: string, attack: Attack, suffix: string): void {
  const mallory = createNodeSignalingPeer(`ferry-mallorymallory${suffix}`, signalingOptions(signalingUrl));
  mallory.on('open', () => {
    const socket = (mallory as unknown as { socket: { send(message: unknown): void } }).socket;
    switch (attack) {
      case 'unknown-serialization':
        socket.send({
          type: 'OFFER',
          dst: target,
          payload: { type: 'data', serialization: 'no-such-serializer', connectionId: 'dc_hostile', sdp: { type: 'offer', sdp: 'v=0' } },
        });
        break;
      case 'no-payload':
        socket.send({ type: 'OFFER', dst: target, payload: null });
        break;
      case 'json-garbage': {
        const json = (mallory as unknown as { connect(id: string, options: object): DataConnectionPort }).connect(target, {
          serialization: 'json',
          reliable: true,
          metadata: { label: 'mallory', channelsAt: 'open' },
        });
        json.on('open', () => json.dataChannel.send(Uint8Array.of(0xff, 0x7b, 0x00).buffer));
        break;
      }
    }
    report({ event: 'hostile-sent', target, attack });
  });
}

function linkOf(label: string | undefined): Link {
  const link = links.get(label ?? '');
  if (!link) throw new Error(`no link ${label}`);
  return link;
}

interface Command {
  cmd: string;
  label?: string;
  peerId?: string;
  channelsAt?: ChannelsAt;
  iceServers?: IceServerConfig[];
  policy?: 'all' | 'relay';
  sizes?: number[];
  bytes?: number;
  mode?: DeliveryMode;
  count?: number;
  size?: number;
  suffix?: string;
  attack?: Attack;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  const fail = (error: unknown) => report({ event: 'command-error', cmd: command.cmd, message: (error as Error).message });
  try {
    switch (command.cmd) {
      case 'ice': {
        // As the engine does: PeerJS reads options.config for every connection it makes.
        peer.options.config = { iceServers: command.iceServers ?? [], iceTransportPolicy: command.policy ?? 'all' };
        report({ event: 'ice-set', policy: command.policy });
        break;
      }
      case 'connect': {
        const label = command.label ?? 'link';
        const channelsAt = command.channelsAt ?? 'start';
        const connection = peer.connect(command.peerId ?? '', { serialization: 'raw', reliable: true, metadata: { label, channelsAt } });
        if (!connection) throw new Error('PeerJS made no connection');
        attach({ label, role: 'dialer', connection, control: undefined, data: undefined }, channelsAt);
        break;
      }
      case 'control':
        sendControl(linkOf(command.label), command.sizes ?? []);
        break;
      case 'blast':
        blast(linkOf(command.label), command.bytes ?? 0).catch(fail);
        break;
      case 'burst':
        burst(linkOf(command.label), command.mode ?? 'partial', command.count ?? 0, command.size ?? 0).catch(fail);
        break;
      case 'close':
        linkOf(command.label).connection.close();
        report({ event: 'closing', label: command.label });
        break;
      case 'hostile':
        hostile(command.peerId ?? '', command.attack ?? 'unknown-serialization', command.suffix ?? 'aa');
        break;
      case 'ping':
        report({ event: 'pong', links: [...links.keys()] });
        break;
      default:
        report({ event: 'command-error', cmd: command.cmd, message: 'unknown command' });
    }
  } catch (error) {
    fail(error);
  }
});

process.on('SIGTERM', () => {
  peer.destroy();
  process.exit(0);
});
