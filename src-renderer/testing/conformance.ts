/*
 * The transfer conformance peer in Chromium: the renderer's real pieces (PeerJS, the core's
 * PeerSession over the control and pre-negotiated data channels, Blob sources, main's sink over
 * the API) without the UI, driven by the conformance suite through `window.conformance`.
 * Test page only: built by e2e/conformance-page.vite.config.ts, never part of the app.
 */
import { type DataConnection, Peer } from 'peerjs';
import {
  createHashWasmHasherFactory,
  type DeliveryMode,
  type FerryError,
  maxMessageSizeFromSdp,
  openDataChannels,
  PeerSession,
  type ReceiverEvent,
  type RtcDataChannelLike,
  type RtcPeerConnectionLike,
  RtcFrameChannel,
  type SenderEvent,
  type TransferHandle,
  type TransferMessage,
} from '../../src-core/index';
import { browserRuntime } from '../browser-runtime';
import { BlobSource, manifestFromFiles } from '../files/blob-source';
import { IpcFileSink } from '../files/ipc-sink';
import { call, ferryApi } from '../platform';
import { openStripeChannels, STRIPE_COUNT, stripeOf } from '../../src-engine/link/stripes';
import type { DataConnectionPort } from '../../src-engine/index';

type Outcome = { ok: true } | { ok: false; code: string; message: string };

const params = new URLSearchParams(location.search);
/** Stripes the dialing side opens, as the app does (`?stripes=0` for one connection only). */
const stripeCount = Number(params.get('stripes') ?? STRIPE_COUNT);
let stripesReady!: () => void;
const stripesUp = new Promise<void>((r) => (stripesReady = r));
let stripesOpen = 0;
/** Data frames received per connection: [the link's own, ...stripes]. */
const framesPerConnection: number[] = [];

function countFrames(channels: Record<DeliveryMode, { onMessage(listener: (frame: Uint8Array) => void): () => void }>): void {
  const index = framesPerConnection.push(0) - 1;
  for (const channel of Object.values(channels)) channel.onMessage(() => (framesPerConnection[index] = (framesPerConnection[index] ?? 0) + 1));
}
const api = ferryApi();
const config = await call(api.getSignalingConfig());
const { name } = await call(api.getDeviceInfo());
const createHasher = await createHashWasmHasherFactory();

const outgoing = new Map<number, { handle: TransferHandle<SenderEvent>; outcome: Promise<Outcome>; sent: number }>();
const incoming: Array<{ handle: TransferHandle<ReceiverEvent>; outcome: Promise<Outcome> }> = [];
const seen: TransferMessage[] = [];
let staged: File[] = [];
let policy: 'accept' | 'decline' = 'accept';
let session: PeerSession | undefined;
let dataChannels: Awaited<ReturnType<typeof openDataChannels>> | undefined;
let control: RtcFrameChannel | undefined;
let resolveReady!: () => void;
const ready = new Promise<void>((r) => (resolveReady = r));

function outcomeOf(done: Promise<void>): Promise<Outcome> {
  return done.then(
    () => ({ ok: true }) as const,
    (error: FerryError) => ({ ok: false, code: error.code ?? 'UNKNOWN', message: error.message }),
  );
}

function addStripe(connection: DataConnection): void {
  openStripeChannels(connection as unknown as DataConnectionPort, browserRuntime).then(
    (channels) => {
      session?.addStripe(channels);
      countFrames(channels);
      if (++stripesOpen >= stripeCount) stripesReady();
    },
    () => connection.close(),
  );
}

async function attach(connection: DataConnection): Promise<void> {
  control = new RtcFrameChannel(connection.dataChannel as unknown as RtcDataChannelLike);
  dataChannels = await openDataChannels(connection.peerConnection as unknown as RtcPeerConnectionLike);
  countFrames(dataChannels);
  session = new PeerSession({
    runtime: browserRuntime,
    deviceName: name,
    createHasher,
    channels: { control, data: dataChannels },
    transferTuning: { maxMessageSize: maxMessageSizeFromSdp(connection.peerConnection.remoteDescription?.sdp) },
    onChatEvent: (event) => {
      if (event.type !== 'opened') return;
      if (dial && stripeCount > 0) {
        for (let i = 0; i < stripeCount; i++) addStripe(peer.connect(dial, { serialization: 'raw', reliable: true, metadata: { ferryStripeOf: connection.connectionId } }));
        void stripesUp.then(resolveReady);
      } else resolveReady();
    },
    onIncoming: (offer, decision, handle) => {
      incoming.push({ handle, outcome: outcomeOf(handle.done) });
      if (policy === 'decline') {
        decision.decline('USER_DECLINED', 'Not now, thanks.');
        return;
      }
      IpcFileSink.open(offer).then(
        (sink) => decision.accept(sink),
        (error: Error) => decision.decline('SINK_FAILED', error.message),
      );
    },
  });
  const transfers = session.transfers;
  const original = transfers.handleControl.bind(transfers);
  transfers.handleControl = (message) => {
    seen.push(message);
    original(message);
  };
  session.start();
}

const url = new URL(config.url);
const peer = new Peer(params.get('id') ?? '', {
  host: url.hostname,
  port: Number(url.port || 80),
  path: url.pathname,
  key: config.key,
  config: { iceServers: config.iceServers },
  debug: 0,
});
const registered = new Promise<void>((resolve) => peer.on('open', () => resolve()));
peer.on('connection', (connection) => {
  if (stripeOf(connection as unknown as DataConnectionPort) !== undefined) addStripe(connection);
  else connection.on('open', () => void attach(connection));
});
const dial = params.get('dial');
if (dial) {
  void registered.then(() => {
    const connection = peer.connect(dial, { serialization: 'raw', reliable: true });
    connection.on('open', () => void attach(connection));
  });
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const conformance = {
  registered: () => registered,
  ready: () => ready,
  /** Adds the files of an input (after the test set them) to the next send. */
  stage(inputId: 'files' | 'folder'): number {
    const input = document.getElementById(inputId) as HTMLInputElement;
    staged.push(...(input.files ?? []));
    input.value = '';
    return staged.length;
  },
  send(options: { mode: DeliveryMode; chunkSize?: number }): number {
    if (!session) throw new Error('not connected');
    const { entries, blobs } = manifestFromFiles(staged);
    staged = [];
    const handle = session.transfers.send({ entries, source: new BlobSource(blobs), mode: options.mode, ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) });
    const record = { handle, outcome: outcomeOf(handle.done), sent: 0 };
    handle.onEvent((event) => {
      if (event.type === 'progress') record.sent = event.bytesSent;
    });
    outgoing.set(handle.transferId, record);
    return handle.transferId;
  },
  async outcome(id: number | 'incoming'): Promise<Outcome> {
    if (id === 'incoming') {
      while (incoming.length === 0) await new Promise((r) => setTimeout(r, 10));
      return (incoming.at(-1) as { outcome: Promise<Outcome> }).outcome;
    }
    const record = outgoing.get(id);
    if (!record) throw new Error(`no outgoing transfer ${id}`);
    return record.outcome;
  },
  bytesSent: (id: number) => outgoing.get(id)?.sent ?? 0,
  cancel(id: number | 'incoming'): void {
    if (id === 'incoming') incoming.at(-1)?.handle.cancel();
    else outgoing.get(id)?.handle.cancel();
  },
  setPolicy(next: 'accept' | 'decline'): void {
    policy = next;
  },
  async incomingCount(): Promise<number> {
    while (incoming.length === 0) await new Promise((r) => setTimeout(r, 10));
    return incoming.length;
  },
  injectControl(message: TransferMessage): void {
    session?.chat.sendTransferMessage(message);
  },
  /** Plays a hostile sender: raw data frames go out as soon as the other side accepts. */
  injectDataOnAccept(mode: DeliveryMode, framesBase64: string[]): void {
    const transfers = session?.transfers;
    if (!transfers || !dataChannels) throw new Error('not connected');
    const channels = dataChannels;
    const original = transfers.handleControl;
    transfers.handleControl = (message) => {
      original(message);
      if (message.type === 'accept') {
        transfers.handleControl = original;
        for (const frame of framesBase64) channels[mode].send(fromBase64(frame));
      }
    };
  },
  controlSeen: () => [...seen],
  framesPerConnection: () => [...framesPerConnection],
  closeControl(): void {
    control?.close();
  },
  close(): void {
    session?.close();
    peer.destroy();
  },
};

Object.assign(window, { conformance });
