import { Peer } from 'peerjs';
import { createHashWasmHasherFactory, type FileSink, type IncomingOffer, SigningKey } from '../src-core/index';
import { type CreateSignalingPeer, Engine, type SignalingPeerPort } from '../src-engine/index';
import { browserFetchJson } from '../src-renderer/browser-fetch-json';
import { browserRuntime } from '../src-renderer/browser-runtime';
import { pageDevice, pageSettings } from './page-device';

/** Where the next received offer is saved: a folder the person chose, or a streamed download. */
export type SaveInto = (offer: IncomingOffer, saved: (fileIndex: number, path: string) => void) => Promise<FileSink>;

// PeerJS's Peer fits the engine's port structurally but for its event emitter's typing: the one cast, at the edge.
const createPeer: CreateSignalingPeer = (id, options) => new Peer(id, options) as unknown as SignalingPeerPort;

/** The engine in this page, on the browser's WebRTC, signaling through the server that served the page. */
export async function startPageEngine(options: { deviceName: () => string; saveInto: SaveInto }): Promise<{ engine: Engine; peerId: string }> {
  const serverUrl = new URL('/', location.href).href;
  const key = SigningKey.generate(browserRuntime.randomBytes);
  const platform = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform || navigator.platform || 'web';
  const info = () => ({ name: options.deviceName(), kind: 'browser' as const, appVersion: 'web', platform });
  const device = pageDevice({ key, info, settings: pageSettings(options.deviceName()), serverUrl, fetchJson: browserFetchJson });
  const engine = new Engine({
    runtime: browserRuntime,
    createHasher: await createHashWasmHasherFactory(),
    createPeer,
    device,
    downloads: {
      // A browser does not say how much room its download folder has: the browser itself refuses what does not fit.
      checkSpace: async () => ({ fits: true, availableBytes: Number.MAX_SAFE_INTEGER, downloadDir: 'this browser' }),
      openSink: (offer, saved) => options.saveInto(offer, saved),
    },
    fetchJson: browserFetchJson,
  });
  engine.start({
    device: info(),
    signaling: { url: serverUrl, key: 'peerjs', iceServers: (await device.iceServers()).iceServers, embedded: false, relayOnly: false },
    settings: device.settings(),
    downloadDir: 'this browser',
    identity: key.public,
  });
  return { engine, peerId: key.peerId };
}
