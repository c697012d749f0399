import type { Runtime } from '../../src-core/index.js';
import type { CreateSignalingPeer, Engine, EngineStart, FerrySettings } from '../../src-engine/index.js';
import { deviceOverPort, ENGINE_HOST_CALLS, READY_NOTE, SETTINGS_NOTE, START_NOTE } from '../../src-engine/remote/device-protocol.js';
import type { PortLike } from '../../src-engine/remote/port.js';
import { handler, RpcPeer } from '../../src-engine/remote/rpc.js';
import { serveEngine } from '../../src-engine/remote/serve-engine.js';
import { GrantedPaths } from './granted-paths.js';
import { createNodeEngine } from './node-engine.js';

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
  // Granted from the start: main may grant before the engine exists.
  const granted = new GrantedPaths();
  const rpc = new RpcPeer(main, {
    grantPaths: handler(ENGINE_HOST_CALLS.grantPaths, (paths) => granted.grant(paths)),
    ping: handler(ENGINE_HOST_CALLS.ping, () => 'pong'),
  });
  const device = deviceOverPort(rpc);
  const node = await createNodeEngine({
    device,
    granted,
    fileSaved: (path) => void device.fileSaved(path).catch(() => {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    ...(options.createPeer ? { createPeer: options.createPeer } : {}),
    ...(options.peerJsDebug ? { peerJsDebug: options.peerJsDebug } : {}),
  });
  const { engine } = node;
  let started = false;
  rpc.onNote(START_NOTE, (start) => {
    // Main starts the engine once; a second start is main's bug, not a restart.
    if (started) return;
    started = true;
    engine.start(start as EngineStart);
  });
  rpc.onNote(SETTINGS_NOTE, (settings) => void engine.settingsChanged(settings as FerrySettings));
  rpc.note(READY_NOTE, null);
  return {
    engine,
    serveView: (port) => serveEngine(engine, port, { filesOf: node.filesOf }),
    stop: async () => {
      rpc.close();
      await node.stop();
    },
  };
}
