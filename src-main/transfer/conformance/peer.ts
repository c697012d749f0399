import { mkdir } from 'node:fs/promises';
import {
  type ChatEvent,
  type DeliveryMode,
  type FerryError,
  type HasherFactory,
  type PeerChannels,
  PeerSession,
  type ReceiverEvent,
  type Runtime,
  type SenderEvent,
  type TransferHandle,
  type TransferMessage,
} from '../../../src-core/index.js';
import { NodeFileSink } from '../../../src-node/files/node-file-sink.js';
import { manifestFromPaths, NodeFileSource } from '../../../src-node/files/node-file-source.js';

export type TransferOutcome = { ok: true } | { ok: false; code: string; message: string };

/**
 * What the conformance suite can do with one peer, wherever it runs: in this process, or in a
 * child process on a lab host (through conformance/rpc.ts), or in a browser.
 */
export interface ConformancePeer {
  readonly name: string;
  readonly downloadDir: string;
  send(paths: string[], options: { mode: DeliveryMode; chunkSize?: number }): Promise<number>;
  /** Waits for the outcome of an outgoing (or, with `incoming`, the newest incoming) transfer. */
  outcome(transferId: number | 'incoming'): Promise<TransferOutcome>;
  /** Bytes sent so far by an outgoing transfer. */
  bytesSent(transferId: number): Promise<number>;
  cancel(transferId: number | 'incoming'): Promise<void>;
  setPolicy(policy: 'accept' | 'decline'): Promise<void>;
  /** Waits until an incoming transfer was offered to this peer, and returns how many there were. */
  incomingCount(): Promise<number>;
  injectControl(message: TransferMessage): Promise<void>;
  /** Plays a hostile sender: sends these raw data frames as soon as the other side accepts. */
  injectDataOnAccept(mode: DeliveryMode, frames: Uint8Array[]): Promise<void>;
  controlSeen(): Promise<TransferMessage[]>;
  closeControl(): Promise<void>;
  close(): Promise<void>;
}

/** A conformance peer in this process, around a real PeerSession with files on disk. */
export class LocalConformancePeer implements ConformancePeer {
  readonly session: PeerSession;
  private readonly outgoing = new Map<number, { handle: TransferHandle<SenderEvent>; outcome: Promise<TransferOutcome>; sent: number }>();
  private readonly incoming: Array<{ handle: TransferHandle<ReceiverEvent>; outcome: Promise<TransferOutcome> }> = [];
  private readonly incomingWaiters = new Set<() => void>();
  private policy: 'accept' | 'decline' = 'accept';
  private readonly seen: TransferMessage[] = [];
  readonly opened: Promise<void>;

  constructor(
    readonly name: string,
    readonly downloadDir: string,
    private readonly channels: PeerChannels,
    runtime: Runtime,
    createHasher: HasherFactory,
    tuning?: ConstructorParameters<typeof PeerSession>[0]['transferTuning'],
  ) {
    let resolveOpened!: () => void;
    this.opened = new Promise((r) => (resolveOpened = r));
    this.session = new PeerSession({
      runtime,
      deviceName: name,
      createHasher,
      channels,
      ...(tuning ? { transferTuning: tuning } : {}),
      onChatEvent: (event: ChatEvent) => {
        if (event.type === 'opened') resolveOpened();
      },
      onIncoming: (offer, decision, handle) => {
        this.incoming.push({ handle, outcome: outcomeOf(handle.done) });
        for (const wake of this.incomingWaiters) wake();
        if (this.policy === 'decline') {
          decision.decline('USER_DECLINED', 'Not now, thanks.');
          return;
        }
        NodeFileSink.create(this.downloadDir, offer).then(
          (sink) => decision.accept(sink),
          (error: Error) => decision.decline('SINK_FAILED', error.message),
        );
      },
    });
    const transfers = this.session.transfers;
    const original = transfers.handleControl.bind(transfers);
    transfers.handleControl = (message) => {
      this.seen.push(message);
      original(message);
    };
  }

  static async create(
    name: string,
    downloadDir: string,
    channels: PeerChannels,
    runtime: Runtime,
    createHasher: HasherFactory,
    tuning?: ConstructorParameters<typeof PeerSession>[0]['transferTuning'],
  ): Promise<LocalConformancePeer> {
    await mkdir(downloadDir, { recursive: true });
    return new LocalConformancePeer(name, downloadDir, channels, runtime, createHasher, tuning);
  }

  start(): void {
    this.session.start();
  }

  async send(paths: string[], options: { mode: DeliveryMode; chunkSize?: number }): Promise<number> {
    const { entries, files } = await manifestFromPaths(paths);
    const source = new NodeFileSource(files);
    const handle = this.session.transfers.send({ entries, source, mode: options.mode, ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) });
    const record = { handle, outcome: outcomeOf(handle.done.finally(() => source.close())), sent: 0 };
    handle.onEvent((event) => {
      if (event.type === 'progress') record.sent = event.bytesSent;
    });
    this.outgoing.set(handle.transferId, record);
    return handle.transferId;
  }

  async outcome(transferId: number | 'incoming'): Promise<TransferOutcome> {
    if (transferId === 'incoming') {
      await this.incomingCount();
      return (this.incoming.at(-1) as { outcome: Promise<TransferOutcome> }).outcome;
    }
    const record = this.outgoing.get(transferId);
    if (!record) throw new Error(`no outgoing transfer ${transferId}`);
    return record.outcome;
  }

  async bytesSent(transferId: number): Promise<number> {
    return this.outgoing.get(transferId)?.sent ?? 0;
  }

  async cancel(transferId: number | 'incoming'): Promise<void> {
    if (transferId === 'incoming') this.incoming.at(-1)?.handle.cancel();
    else this.outgoing.get(transferId)?.handle.cancel();
  }

  async setPolicy(policy: 'accept' | 'decline'): Promise<void> {
    this.policy = policy;
  }

  async incomingCount(): Promise<number> {
    if (this.incoming.length > 0) return this.incoming.length;
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.incomingWaiters.delete(wake);
        resolve();
      };
      this.incomingWaiters.add(wake);
    });
    return this.incoming.length;
  }

  async injectControl(message: TransferMessage): Promise<void> {
    this.session.chat.sendTransferMessage(message);
  }

  async injectDataOnAccept(mode: DeliveryMode, frames: Uint8Array[]): Promise<void> {
    // Wait for the other side's accept of our injected offer, then send the raw frames.
    const transfers = this.session.transfers;
    const original = transfers.handleControl;
    transfers.handleControl = (message) => {
      original(message);
      if (message.type === 'accept') {
        transfers.handleControl = original;
        for (const frame of frames) this.channels.data[mode].send(frame);
      }
    };
  }

  async controlSeen(): Promise<TransferMessage[]> {
    return [...this.seen];
  }

  async closeControl(): Promise<void> {
    this.channels.control.close();
  }

  async close(): Promise<void> {
    this.session.close();
  }
}

async function outcomeOf(done: Promise<void>): Promise<TransferOutcome> {
  try {
    await done;
    return { ok: true };
  } catch (error) {
    return { ok: false, code: (error as FerryError).code ?? 'UNKNOWN', message: (error as Error).message };
  }
}
