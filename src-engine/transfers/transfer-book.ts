import {
  DEFAULT_MODE,
  type DeliveryMode,
  type IncomingDecision,
  type IncomingOffer,
  type ReceiverEvent,
  type Runtime,
  type SenderEvent,
  type TransferEndpoint,
  type TransferHandle,
} from '../../src-core/index.js';
import type { DevicePort, DownloadsPort, OutgoingFiles } from '../ports/host.js';
import { describe, newRow } from '../state/conversation.js';
import { formatBytes } from '../state/format-bytes.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import { endedWith, outcomeNotice, type TransferFailure } from './outcome.js';
import { ProgressSampler } from './progress.js';
import { TaskbarProgress } from './taskbar-progress.js';
import { TransferRows } from './transfer-rows.js';

/**
 * Transfer ids are numbered per link (SPEC.md): two devices both have a transfer 1. Everything
 * kept per transfer is keyed by the device and the row's key together.
 */
export function handleKey(peerId: string, key: string): string {
  return `${peerId}/${key}`;
}

/** A running transfer; an incoming one keeps its offer and, until answered, the decision. */
interface Running {
  cancel(): void;
  decision?: IncomingDecision;
  offer?: IncomingOffer;
}

export interface TransferBookDeps {
  runtime: Runtime;
  store: SnapshotStore;
  device: Pick<DevicePort, 'notify' | 'setProgress' | 'setRecentTransfers'>;
  downloads: DownloadsPort;
  /** The transfers of the open session with the device, if there is one. */
  transfersOf: (peerId: string) => Pick<TransferEndpoint, 'send'> | undefined;
  /** "Always accept from this device". */
  trust: (peerId: string) => Promise<unknown>;
}

/**
 * Every transfer with every device: offers out and in, the answers to them, and what each shows
 * while it runs and once it ends (its row, a notification, the taskbar, the tray).
 */
export class TransferBook {
  private readonly running = new Map<string, Running>();
  private readonly progress = new ProgressSampler();
  private readonly rows: TransferRows;
  private readonly taskbar: TaskbarProgress;

  constructor(private readonly deps: TransferBookDeps) {
    this.rows = new TransferRows(deps.store, (recent) => deps.device.setRecentTransfers(recent));
    this.taskbar = new TaskbarProgress((fraction) => deps.device.setProgress(fraction));
  }

  /** Offers files to a connected device. */
  send(peerId: string, { entries, source, release }: OutgoingFiles): void {
    const transfers = this.deps.transfersOf(peerId);
    if (entries.length === 0 || !transfers) {
      void release?.().catch(() => {});
      if (!transfers) throw new Error('There is no open connection to that device.');
      return;
    }
    const setting = this.deps.store.get().settings?.transferMode ?? 'automatic';
    const mode: DeliveryMode = setting === 'automatic' ? DEFAULT_MODE : setting;
    let handle: TransferHandle<SenderEvent>;
    try {
      handle = transfers.send({ entries, source, mode });
    } catch (error) {
      void release?.().catch(() => {});
      throw error;
    }
    // The files stay open while the transfer runs, and are closed however it ends.
    if (release) void handle.done.catch(() => {}).finally(() => void release().catch(() => {}));
    const key = this.freshKey(peerId, `out-${handle.transferId}`);
    const { title, fileCount } = describe(entries);
    const totalBytes = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
    this.running.set(handleKey(peerId, key), { cancel: () => handle.cancel() });
    this.rows.add(peerId, { ...newRow(key, 'out', entries, title, fileCount, totalBytes), state: 'waiting' });
    this.follow(peerId, key, handle);
  }

  accept(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    const entry = this.running.get(handleKey(peerId, key));
    if (!entry?.decision || !entry.offer) return;
    const { decision, offer } = entry;
    entry.decision = undefined;
    if (options.alwaysAccept) void this.deps.trust(peerId);
    this.rows.patch(peerId, key, { state: 'active' });
    const saved = (_fileIndex: number, path: string) => this.rows.patch(peerId, key, { savedPaths: [...(this.rows.row(peerId, key)?.savedPaths ?? []), path] });
    this.deps.downloads.openSink(offer, saved).then(
      (sink) => decision.accept(sink),
      (error: Error) => {
        decision.decline('SINK_FAILED', error.message);
        this.rows.patch(peerId, key, { state: 'failed', error: error.message });
      },
    );
  }

  decline(peerId: string, key: string): void {
    const entry = this.running.get(handleKey(peerId, key));
    if (!entry?.decision) return;
    entry.decision.decline('USER_DECLINED', 'The other person declined.');
    entry.decision = undefined;
    this.rows.patch(peerId, key, { state: 'declined' });
  }

  cancel(peerId: string, key: string): void {
    this.running.get(handleKey(peerId, key))?.cancel();
  }

  /** A device offers files: shown, then accepted at once if it is trusted and they fit. */
  incoming(peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>): void {
    const key = this.freshKey(peerId, `in-${handle.transferId}`);
    const { title, fileCount } = describe(offer.entries);
    this.running.set(handleKey(peerId, key), { cancel: () => handle.cancel(), decision, offer });
    this.rows.add(peerId, { ...newRow(key, 'in', offer.entries, title, fileCount, offer.totalBytes), state: 'offered' });
    this.follow(peerId, key, handle);
    // Space is checked before anyone is asked: an offer that cannot fit is never accepted.
    this.deps.downloads.checkSpace(offer.totalBytes).then(
      ({ fits, availableBytes, downloadDir }) => {
        if (!fits) {
          this.rows.patch(peerId, key, {
            spaceProblem: `Not enough free space in ${downloadDir}: these files need ${formatBytes(offer.totalBytes)} and ${formatBytes(availableBytes)} is available. Free some space or choose another download folder in Settings.`,
          });
          return;
        }
        if (this.deps.store.get().settings?.autoAcceptTrusted && this.deps.store.isTrusted(peerId)) this.accept(peerId, key);
      },
      (error: Error) => this.rows.patch(peerId, key, { spaceProblem: `Could not check the download folder: ${error.message}` }),
    );
  }

  /**
   * A row key not in use in the device's conversation. Transfer ids start again at 1 on every
   * link, while the conversation keeps the rows of earlier links: a second link's transfer 1 gets
   * `out-1~2`, so commands and progress reach its row and never an older one.
   */
  private freshKey(peerId: string, key: string): string {
    const taken = new Set(this.deps.store.conversation(peerId)?.transfers.map((t) => t.key));
    const free = (candidate: string) => !taken.has(candidate) && !this.running.has(handleKey(peerId, candidate));
    if (free(key)) return key;
    for (let n = 2; ; n++) if (free(`${key}~${n}`)) return `${key}~${n}`;
  }

  /** A transfer's events and ending, onto its row. */
  private follow(peerId: string, key: string, handle: TransferHandle<SenderEvent> | TransferHandle<ReceiverEvent>): void {
    (handle.onEvent as (listener: (event: SenderEvent | ReceiverEvent) => void) => void)((event) => {
      switch (event.type) {
        case 'accepted':
          this.rows.patch(peerId, key, { state: 'active' });
          return;
        case 'progress': {
          const done = 'bytesSent' in event ? event.bytesSent : event.bytesReceived;
          const shownSpeed = () => this.rows.row(peerId, key)?.bytesPerSecond ?? 0;
          const paint = this.progress.sample(handleKey(peerId, key), { done, total: event.totalBytes, now: this.deps.runtime.now(), shownSpeed });
          if (!paint) return;
          this.rows.patch(peerId, key, paint);
          this.taskbar.report(this.deps.store.get().conversations);
          return;
        }
        case 'file-done':
        case 'file-verified': {
          const { fileIndex } = event;
          const row = this.rows.row(peerId, key);
          if (row?.files.some((f) => f.index === fileIndex)) {
            this.rows.patch(peerId, key, { files: row.files.map((f) => (f.index === fileIndex ? { ...f, done: true } : f)) });
          }
          return;
        }
        default:
          return;
      }
    });
    handle.done
      .then(
        () => {
          this.rows.patch(peerId, key, { state: 'done', bytesDone: this.rows.row(peerId, key)?.totalBytes ?? 0 });
          this.notify(peerId, key);
        },
        (failure: TransferFailure) => {
          const row = this.rows.row(peerId, key);
          // A failure already shown (the download folder refused the files) keeps its reason.
          if (row?.state !== 'failed' || row.error === undefined) this.rows.patch(peerId, key, endedWith(failure, row?.state));
          this.notify(peerId, key);
        },
      )
      .finally(() => {
        this.running.delete(handleKey(peerId, key));
        this.progress.forget(handleKey(peerId, key));
        this.taskbar.report(this.deps.store.get().conversations);
      });
  }

  /** An OS notification when a transfer ends; main shows it only while the window is unfocused. */
  private notify(peerId: string, key: string): void {
    const row = this.rows.row(peerId, key);
    const notice = row && outcomeNotice(row, this.deps.store.conversation(peerId)?.peerName ?? peerId);
    if (notice) void this.deps.device.notify(notice.title, notice.body).catch(() => {});
  }
}
