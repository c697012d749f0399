import { createHashWasmHasherFactory, type Runtime } from '../../src-core/index.js';
import { type CreateSignalingPeer, type DevicePort, Engine, type OutgoingFiles } from '../../src-engine/index.js';
import { nodeRuntime } from '../runtime.js';
import { closeNodePeerConnections, createNodeSignalingPeer } from '../webrtc/peerjs-on-node.js';
import { GrantedPaths } from './granted-paths.js';
import { nodeDownloads } from './node-downloads.js';
import { nodeFetchJson } from './node-fetch-json.js';
import { outgoingFromPaths } from './outgoing-paths.js';

/** How long a stopping engine gives its connections' last packets to leave. */
const STOP_GRACE_MS = 300;
/**
 * How long it waits at most for its TURN allocations to be released (two round trips to each TURN
 * server, once libjuice has let go of the ports; src-node/webrtc/turn-release.ts). Main waits
 * longer for the process (3 s in the lab).
 */
const TURN_RELEASE_MS = 2000;

export interface NodeEngine {
  readonly engine: Engine;
  /** Paths a person named (picked, dropped, typed on a command line): only these may be sent. */
  readonly granted: GrantedPaths;
  /** Granted files and folders, walked and opened for sending; a path not granted is refused in words. */
  filesOf(paths: string[]): Promise<OutgoingFiles & { paths: string[] }>;
  /** Closes every connection and the signaling registration; settles once they have had time to go out. */
  stop(): Promise<void>;
}

export interface NodeEngineOptions {
  /** What the engine asks of its host: settings, signing, where files go (main's services, or the CLI's). */
  device: DevicePort;
  /** The paths that may be sent (a new, empty set by default). */
  granted?: GrantedPaths;
  /** Tells the host a received file was saved (verified, under its final name). */
  fileSaved?: (path: string) => void;
  peerJsDebug?: 0 | 1 | 2 | 3;
  runtime?: Runtime;
  /** Tests only: PeerJS on another WebRTC (another stack in the lab, the memory network in unit tests). */
  createPeer?: CreateSignalingPeer;
  warn?: (message: string) => void;
}

/** The engine on Node: node-datachannel, files on disk, hash-wasm. One recipe for every Node host. */
export async function createNodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const granted = options.granted ?? new GrantedPaths();
  const createHasher = await createHashWasmHasherFactory();
  const filesOf = async (paths: string[]) => {
    granted.check(paths);
    return { ...(await outgoingFromPaths(paths)), paths };
  };
  const { device } = options;
  const engine = new Engine({
    runtime: options.runtime ?? nodeRuntime,
    createHasher,
    createPeer: options.createPeer ?? createNodeSignalingPeer,
    device,
    downloads: nodeDownloads({
      downloadDir: () => device.downloadDir(),
      fileSaved: (path) => options.fileSaved?.(path),
      createHasher,
      warn: options.warn ?? ((message) => console.warn(`ferry engine: ${message}`)),
    }),
    fetchJson: nodeFetchJson,
    // A restarted engine makes again what it was sending, from paths granted again.
    openPaths: filesOf,
    ...(options.peerJsDebug ? { peerJsDebug: options.peerJsDebug } : {}),
  });
  return {
    engine,
    granted,
    filesOf,
    stop: async () => {
      engine.stop();
      // libdatachannel sends the closes (SCTP abort) from its own threads; the TURN allocations
      // are released from here, once libjuice has let go of their ports (libjuice never does).
      await Promise.all([new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS)), closeNodePeerConnections(TURN_RELEASE_MS)]);
    },
  };
}
