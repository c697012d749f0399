import type { DeliveryMode } from '../../../src-core/index.js';
import type { EngineSnapshot } from '../../engine.js';
import type { EngineCommandArgs, EngineCommandName, EngineCommandResult } from '../../remote/engine-protocol.js';

/**
 * A Ferry device as the engine conformance suite drives it, wherever its engine runs (in this
 * process on the memory network, in a Node process on a lab host, in a Chromium page): the
 * engine's own commands and snapshot, as a view has them, plus what a person does with files.
 */
export interface ConformanceDevice {
  readonly name: string;
  /** Where this device's received files land, on this machine's disk. */
  readonly downloadDir: string;
  /** One of the engine's commands (SPEC.md, "The engine's port"); a refusal throws with its `code`. */
  command<N extends EngineCommandName>(name: N, ...args: EngineCommandArgs<N>): Promise<EngineCommandResult<N>>;
  snapshot(): Promise<EngineSnapshot>;
  /** Until `check` answers something other than undefined, which it returns. */
  waitFor<T>(what: string, check: (snapshot: EngineSnapshot) => T | undefined, timeoutMs?: number): Promise<T>;
  /** A person picks (or drops) these files and folders: the engine may send them now. */
  pick(paths: string[]): Promise<void>;
  /** The device's recent log, for failure reports. */
  log?(): string;
}

/** Which device of a pair. */
export type Side = 'a' | 'b';

/**
 * What a pair whose wire the test owns (the memory network) can do to it: faults a network or a
 * hostile peer could cause, injected where the real stacks allow none.
 */
export interface ConformanceFaults {
  /** One-way delay of every message from now on, in ms, and jitter on unordered channels. */
  setDelay(ms: number, jitterMs?: number): void;
  /**
   * Does something to data frames `from` sends: `damage` flips a byte of the chunk (the receiver
   * must find the bad block and have it sent again), `drop` loses the frame (only a partially
   * reliable channel may). `which` picks the frames (by their index among those `from` sent
   * from now on); resolves with how many were hit once `count` were.
   */
  dataFrames(from: Side, what: 'damage' | 'drop', which: (index: number) => boolean, count?: number): Promise<number>;
  /** Random loss on the partially reliable channels, from now on (0 to stop); reordering comes with setDelay's jitter. */
  lossyPartial(loss: number): void;
  /** Closes one stripe connection of the link between the two. */
  closeStripe(): void;
  /** The link's own connection goes (the network dropped it): its stripes go with it. */
  dropLink(): void;
  /** The next `count` connections of a kind die before they open, both ends (libdatachannel#1612 does this now and then). */
  loseBeforeOpen(kind: 'link' | 'stripe', count: number): void;
  /** Sends a raw frame as `from` would, on the live link: on its control channel or a mode's data channel. */
  inject(from: Side, channel: 'control' | DeliveryMode, frame: Uint8Array): void;
  /** Control messages `from` sent on its links so far (decoded; what the other side received or will). */
  controlSent(from: Side): Array<{ type: string } & Record<string, unknown>>;
  /** Withholds `from`'s control messages of these types from now on (undefined: stop withholding). */
  withhold(from: Side, types: readonly string[] | undefined): void;
  /** Connections made from now on pass through a relay that terminates DTLS (a man in the middle). */
  manInTheMiddle(on: boolean): void;
  /** A third device on the same network whose key does not derive the id it registers under. */
  squatter(peerId: string): Promise<ConformanceDevice>;
}

export interface ConformancePair {
  a: ConformanceDevice;
  b: ConformanceDevice;
  /** Present when the test owns the wire (memory). */
  faults?: ConformanceFaults;
  close(): Promise<void>;
}
