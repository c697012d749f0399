import type { EngineSnapshot } from '../engine.js';
import { EMPTY_SNAPSHOT } from '../state/snapshot-store.js';
import { type EngineCommandArgs, type EngineCommandName, type EngineCommandResult, HELLO_REQUEST, SNAPSHOT_NOTE } from './engine-protocol.js';
import type { PortLike } from './port.js';
import { RpcPeer } from './rpc.js';

/**
 * A view's handle on an engine across a port: the latest snapshot (pushed by the engine), and
 * its commands. React subscribes with useSyncExternalStore.
 */
export class EngineClient {
  private snapshot: EngineSnapshot = EMPTY_SNAPSHOT;
  private readonly listeners = new Set<() => void>();
  private readonly rpc: RpcPeer;

  constructor(port: PortLike) {
    this.rpc = new RpcPeer(port);
    this.rpc.onNote(SNAPSHOT_NOTE, (value) => this.adopt(value as EngineSnapshot));
    // Changes before the hello's answer come as notes too: whichever is newer wins by arrival.
    void this.rpc.call(HELLO_REQUEST).then((value) => this.adopt(value as EngineSnapshot), () => {});
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): EngineSnapshot => this.snapshot;

  command<N extends EngineCommandName>(name: N, ...args: EngineCommandArgs<N>): Promise<EngineCommandResult<N>> {
    return this.rpc.call(name, args) as Promise<EngineCommandResult<N>>;
  }

  close(): void {
    this.rpc.close();
  }

  private adopt(snapshot: EngineSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of this.listeners) listener();
  }
}
