import { createHashWasmHasherFactory, type Runtime } from '../../src-core/index.js';
import { type CreateSignalingPeer, Engine, type EngineStart, type FerrySettings } from '../../src-engine/index.js';
import { deviceOverPort, ENGINE_HOST_CALLS, READY_NOTE, SETTINGS_NOTE, START_NOTE } from '../../src-engine/remote/device-protocol.js';
import type { PortLike } from '../../src-engine/remote/port.js';
import { handler, RpcPeer } from '../../src-engine/remote/rpc.js';
import { serveEngine } from '../../src-engine/remote/serve-engine.js';
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

export interface EngineHost {
  readonly engine: Engine;
  /** Serves the engine to a view (a window, a test) over its own port. */
  serveView(port: PortLike): { close(): void };
  /** Closes every connection and the signaling registration; settles once they have had time to go out. */
  stop(): Promise<void>;
}

/**
 * The engine in a Node process of its own (Electron's utility process in the app, a child
 * process in the lab): main's services reach it over `main`, it starts when main says so, and
 * views get it over ports of their own. Every byte of every transfer moves here.
 */
export async function runEngineHost(
  main: PortLike,
  options: {
    peerJsDebug?: 0 | 1 | 2 | 3;
    runtime?: Runtime;
    /** Tests only: PeerJS on another WebRTC (another stack in the lab, the memory network in unit tests). */
    createPeer?: CreateSignalingPeer;
  } = {},
): Promise<EngineHost> {
  const granted = new GrantedPaths();
  const rpc = new RpcPeer(main, {
    grantPaths: handler(ENGINE_HOST_CALLS.grantPaths, (paths) => granted.grant(paths)),
    ping: handler(ENGINE_HOST_CALLS.ping, () => 'pong'),
  });
  const device = deviceOverPort(rpc);
  const createHasher = await createHashWasmHasherFactory();
  const engine = new Engine({
    runtime: options.runtime ?? nodeRuntime,
    createHasher,
    createPeer: options.createPeer ?? createNodeSignalingPeer,
    device,
    downloads: nodeDownloads({
      downloadDir: () => device.downloadDir(),
      fileSaved: (path) => void device.fileSaved(path).catch(() => {}),
      createHasher,
      warn: (message) => console.warn(`ferry engine: ${message}`),
    }),
    fetchJson: nodeFetchJson,
    // A restarted engine makes again what it was sending, from paths main granted again.
    openPaths: async (paths) => {
      granted.check(paths);
      return { ...(await outgoingFromPaths(paths)), paths };
    },
    ...(options.peerJsDebug ? { peerJsDebug: options.peerJsDebug } : {}),
  });
  let started = false;
  rpc.onNote(START_NOTE, (start) => {
    // Main starts the engine once; a second start is main's bug, not a restart.
    if (started) return;
    started = true;
    engine.start(start as EngineStart);
  });
  rpc.onNote(SETTINGS_NOTE, (settings) => void engine.settingsChanged(settings as FerrySettings));
  rpc.note(READY_NOTE, null);
  const filesOf = async (paths: string[]) => {
    granted.check(paths);
    return { ...(await outgoingFromPaths(paths)), paths };
  };
  return {
    engine,
    serveView: (port) => serveEngine(engine, port, { filesOf }),
    stop: async () => {
      engine.stop();
      rpc.close();
      // libdatachannel sends the closes (SCTP abort) from its own threads; the TURN allocations
      // are released from here, once libjuice has let go of their ports (libjuice never does).
      await Promise.all([new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS)), closeNodePeerConnections(TURN_RELEASE_MS)]);
    },
  };
}
