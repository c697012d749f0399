import {
  DEFAULT_MODE,
  type DeliveryMode,
  type FerryError,
  type IncomingDecision,
  type IncomingOffer,
  randomId,
  type ReceiverEvent,
  type Runtime,
  type SenderEvent,
  type TransferEndpoint,
  type TransferHandle,
} from '../../src-core/index.js';
import { DEFAULT_KEEP_INTERRUPTED_DAYS, type OutgoingRecord } from '../contract/device.js';
import type { DevicePort, DownloadsPort, OpenPaths, OutgoingFiles, TransferOrigin } from '../ports/host.js';
import { describe, newRow, type TransferRow } from '../state/conversation.js';
import { formatBytes } from '../state/format-bytes.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import { endedWith, outcomeNotice, type TransferFailure } from './outcome.js';
import { ProgressSampler } from './progress.js';
import { type Resumable, ResumeLedger } from './resume-ledger.js';
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
  pause?(): void;
  decision?: IncomingDecision;
  offer?: IncomingOffer;
}

export interface TransferBookDeps {
  runtime: Runtime;
  store: SnapshotStore;
  device: Pick<DevicePort, 'notify' | 'setProgress' | 'setRecentTransfers' | 'keepOutgoing' | 'forgetOutgoing'>;
  downloads: DownloadsPort;
  /** The transfers of the open session with the device, if there is one. */
  transfersOf: (peerId: string) => Pick<TransferEndpoint, 'send' | 'requestResume'> | undefined;
  /** "Always accept from this device". */
  trust: (peerId: string) => Promise<unknown>;
  /** Who the device is, as its authenticated session proved (resumes are bound to it). */
  originOf: (peerId: string) => TransferOrigin | undefined;
  /** Dials a device in the background, to resume what was interrupted with it. */
  dial: (peerId: string) => void;
  /** True once for a sender a transfer code proved: its offer is taken without asking. */
  takeWithoutAsking?: (peerId: string) => boolean;
  /** Makes files again from their paths (to offer an interrupted transfer as its files are now). */
  openPaths?: OpenPaths;
  /** A transfer ended for good (done, failed, cancelled, declined): for the history. */
  ended?: (peerId: string, row: TransferRow) => void;
}

/** A resume key: 22 characters of [A-Za-z0-9_-] (SPEC.md, "Resume"). */
const RESUME_KEY_LENGTH = 22;
/** The title of an offer Ferry refused unseen (its names are what was wrong with it). */
export const REFUSED_TITLE = 'An offer Ferry refused';

/**
 * Every transfer with every device: offers out and in, the answers to them, and what each shows
 * while it runs and once it ends (its row, a notification, the taskbar, the tray).
 */
export class TransferBook {
  private readonly running = new Map<string, Running>();
  private readonly progress = new ProgressSampler();
  private readonly rows: TransferRows;
  private readonly taskbar: TaskbarProgress;
  private readonly ledger: ResumeLedger;
  /** Interrupted downloads found at start, once listed: a resumed offer waits for them (its row is there). */
  private restored: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TransferBookDeps) {
    this.rows = new TransferRows(deps.store, (recent) => deps.device.setRecentTransfers(recent), (peerId, row) => deps.ended?.(peerId, row));
    this.taskbar = new TaskbarProgress((fraction) => deps.device.setProgress(fraction));
    this.ledger = new ResumeLedger(deps.runtime, deps.dial);
  }

  /** Offers files to a connected device. */
  send(peerId: string, files: OutgoingFiles): void {
    const transfers = this.deps.transfersOf(peerId);
    if (files.entries.length === 0 || !transfers) {
      void files.release?.().catch(() => {});
      if (!transfers) throw new Error('There is no open connection to that device.');
      return;
    }
    const setting = this.deps.store.get().settings?.transferMode ?? 'automatic';
    const mode: DeliveryMode = setting === 'automatic' ? DEFAULT_MODE : setting;
    const resumeKey = randomId(this.deps.runtime, RESUME_KEY_LENGTH);
    this.offer(peerId, undefined, { direction: 'out', peerId, resumeKey, rowKey: '', files, mode }, false);
    // Kept by main until it ends for good, so a restart offers it again.
    if (files.paths) {
      const peerName = this.deps.store.conversation(peerId)?.peerName ?? peerId;
      void this.deps.device.keepOutgoing?.({ resumeKey, peerId, peerName, paths: files.paths, mode, createdAt: Math.floor(this.deps.runtime.now()) }).catch(() => {});
    }
  }

  /**
   * At start: the outgoing transfers that had not ended when the engine last ran, made again from
   * their paths, each a row ("Paused — waiting for Bob") offered again when Bob is back.
   */
  async restoreOutgoing(records: readonly OutgoingRecord[], openPaths: OpenPaths): Promise<void> {
    const { store } = this.deps;
    for (const record of records) {
      const { peerId, resumeKey } = record;
      if (this.ledger.get(peerId, resumeKey)) continue;
      let files: OutgoingFiles;
      try {
        files = await openPaths(record.paths);
      } catch {
        // The files are gone or unreadable: nothing to resume.
        void this.deps.device.forgetOutgoing?.(resumeKey).catch(() => {});
        continue;
      }
      if (!store.conversation(peerId)) {
        store.addConversation(peerId, 'closed');
        store.patchConversation(peerId, (c) => ({ ...c, peerName: c.peerName ?? record.peerName }));
      }
      const key = this.freshKey(peerId, `out-${resumeKey.slice(0, 8)}`);
      const { title, fileCount } = describe(files.entries);
      const totalBytes = files.entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
      this.rows.add(peerId, { ...newRow(key, 'out', files.entries, title, fileCount, totalBytes), state: 'interrupted', error: 'Interrupted when Ferry last ran.' });
      const outgoing = { direction: 'out' as const, peerId, resumeKey, rowKey: key, files, mode: record.mode };
      // The device may be linked already (it dialled first): offered at once, else when it is.
      if (this.deps.transfersOf(peerId)) void this.offerAgain(peerId, outgoing);
      else this.ledger.add(outgoing);
    }
  }

  /**
   * Offers (again, when `resume`) an outgoing transfer on the open link; `rowKey` is its row when
   * it has one already. The files stay open until it ends for good (done, failed, cancelled).
   */
  private offer(peerId: string, rowKey: string | undefined, outgoing: Extract<Resumable, { direction: 'out' }>, resume: boolean): void {
    const transfers = this.deps.transfersOf(peerId);
    if (!transfers) throw new Error('There is no open connection to that device.');
    const { entries, source, release } = outgoing.files;
    let handle: TransferHandle<SenderEvent>;
    try {
      handle = transfers.send({ entries, source, mode: outgoing.mode, resumeKey: outgoing.resumeKey, resume });
    } catch (error) {
      // A first offer that cannot start closes its files; a resumed one keeps them to try again.
      if (!resume) void release?.().catch(() => {});
      throw error;
    }
    const key = rowKey ?? this.freshKey(peerId, `out-${handle.transferId}`);
    this.running.set(handleKey(peerId, key), { cancel: () => handle.cancel(), pause: () => handle.pause() });
    if (rowKey) this.rows.patch(peerId, key, { state: 'waiting', error: undefined });
    else {
      const { title, fileCount } = describe(entries);
      const totalBytes = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
      this.rows.add(peerId, { ...newRow(key, 'out', entries, title, fileCount, totalBytes), state: 'waiting' });
    }
    this.follow(peerId, key, handle, { ...outgoing, rowKey: key });
  }

  /**
   * An authenticated link with the device opened: what was interrupted with it is offered again
   * (the sender's side of "Resume"; the receiver's side answers the resumed offers).
   */
  linkOpened(peerId: string): void {
    this.ledger.linked(peerId);
    for (const resumable of this.ledger.waiting(peerId)) {
      if (resumable.direction !== 'out') continue;
      this.ledger.take(peerId, resumable.resumeKey);
      void this.offerAgain(peerId, resumable);
    }
  }

  /**
   * Offers an interrupted or paused transfer again, its files looked at anew: a file whose size
   * or modification time changed goes with its new ones (the receiver starts it over) and the
   * row says so; files that are gone fail it, in words.
   */
  private async offerAgain(peerId: string, outgoing: Extract<Resumable, { direction: 'out' }>): Promise<void> {
    let current = { ...outgoing, paused: false };
    let changed: string[] = [];
    const { paths } = outgoing.files;
    if (paths && this.deps.openPaths) {
      try {
        const files = await this.deps.openPaths(paths);
        const before = new Map(outgoing.files.entries.map((e) => [e.path, e]));
        changed = files.entries.filter((e) => {
          const old = before.get(e.path);
          return e.kind === 'file' && old?.kind === 'file' && (old.size !== e.size || old.mtime !== e.mtime);
        }).map((e) => e.path);
        void outgoing.files.release?.().catch(() => {});
        current = { ...current, files: { ...files, paths } };
      } catch (error) {
        this.endOutgoing(outgoing);
        this.rows.patch(peerId, outgoing.rowKey, { state: 'failed', error: `The files cannot be read any more: ${(error as Error).message}` });
        return;
      }
    }
    try {
      this.offer(peerId, outgoing.rowKey, current, true);
      if (changed.length) this.rows.patch(peerId, outgoing.rowKey, { error: `Changed since the transfer stopped, sent again from the start: ${changed.join(', ')}.` });
    } catch {
      this.ledger.add(current);
    }
  }

  /** Signaling is connected again: devices with something to resume are dialled at once. */
  signalingConnected(): void {
    this.ledger.redialNow();
  }

  /** The link with the device ended: what is still interrupted with it dials it back. */
  linkEnded(peerId: string): void {
    this.ledger.unlinked(peerId);
  }

  /** Pauses a running resumable transfer: both sides keep what they have. */
  pause(peerId: string, key: string): void {
    this.running.get(handleKey(peerId, key))?.pause?.();
  }

  /**
   * Resumes a paused or interrupted transfer: the sender offers it again; the receiver asks the
   * sender to. Without a link it resumes by itself when the device is back (and it is dialled).
   */
  resume(peerId: string, key: string): void {
    const resumable = this.ledger.byRow(peerId, key);
    if (!resumable) return;
    this.ledger.take(peerId, resumable.resumeKey);
    const unpaused = { ...resumable, paused: false };
    const transfers = this.deps.transfersOf(peerId);
    if (!transfers) {
      this.ledger.add(unpaused);
      this.rows.patch(peerId, key, { state: 'interrupted', error: undefined });
      this.deps.dial(peerId);
      return;
    }
    if (unpaused.direction === 'out') return void this.offerAgain(peerId, unpaused);
    this.ledger.add(unpaused);
    this.rows.patch(peerId, key, { state: 'waiting', error: undefined });
    transfers.requestResume(unpaused.resumeKey);
  }

  /** The device's person resumes a paused transfer we were sending it: offered again at once. */
  resumeRequested(peerId: string, resumeKey: string): void {
    const resumable = this.ledger.get(peerId, resumeKey);
    if (resumable?.direction !== 'out' || !this.deps.transfersOf(peerId)) return;
    this.ledger.take(peerId, resumeKey);
    void this.offerAgain(peerId, resumable);
  }

  /** Ended transfers leave the view with their history entry (one, or every one). */
  forgetEnded(peerId: string | undefined, key: string | undefined): void {
    this.rows.dropEnded(peerId, key);
  }

  /** Throws away an interrupted transfer: its files are closed, or its partial download removed. */
  discard(peerId: string, key: string): void {
    const resumable = this.ledger.byRow(peerId, key);
    if (!resumable) return;
    this.ledger.take(peerId, resumable.resumeKey);
    if (resumable.direction === 'out') this.endOutgoing(resumable);
    else void this.deps.downloads.discard?.(peerId, resumable.resumeKey).catch(() => {});
    this.rows.patch(peerId, key, { state: 'cancelled', error: 'Discarded.', endedBy: 'here' });
  }

  close(): void {
    this.ledger.close();
  }

  /** An outgoing transfer ended for good: its files close, and main forgets it. */
  private endOutgoing(outgoing: Extract<Resumable, { direction: 'out' }>): void {
    void outgoing.files.release?.().catch(() => {});
    if (outgoing.files.paths) void this.deps.device.forgetOutgoing?.(outgoing.resumeKey).catch(() => {});
  }

  /**
   * At start: the downloads interrupted in an earlier run, each a row in its sender's
   * conversation ("Paused — waiting for Alice"), dialled until the sender is back and resumes it.
   */
  restoreInterrupted(): Promise<void> {
    this.restored = this.listInterrupted();
    return this.restored;
  }

  private async listInterrupted(): Promise<void> {
    const keepDays = this.deps.store.get().settings?.keepInterruptedDays ?? DEFAULT_KEEP_INTERRUPTED_DAYS;
    const found = (await this.deps.downloads.interrupted?.(keepDays).catch(() => [])) ?? [];
    const { store } = this.deps;
    for (const download of found) {
      const { peerId, name } = download.origin;
      if (this.ledger.get(peerId, download.resumeKey)) continue;
      if (!store.conversation(peerId)) {
        store.addConversation(peerId, 'closed');
        store.patchConversation(peerId, (c) => ({ ...c, peerName: c.peerName ?? name }));
      }
      const key = this.freshKey(peerId, `in-${download.resumeKey.slice(0, 8)}`);
      const { title, fileCount } = describe(download.entries);
      const totalBytes = download.entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
      this.rows.add(peerId, { ...newRow(key, 'in', download.entries, title, fileCount, totalBytes), state: 'interrupted', bytesDone: download.bytesHeld, error: 'Interrupted when Ferry last ran.' });
      this.ledger.add({ direction: 'in', peerId, resumeKey: download.resumeKey, rowKey: key });
    }
  }

  accept(peerId: string, key: string, options: { alwaysAccept?: boolean } = {}): void {
    const entry = this.running.get(handleKey(peerId, key));
    if (!entry?.decision || !entry.offer) return;
    const { decision, offer } = entry;
    entry.decision = undefined;
    if (options.alwaysAccept) void this.deps.trust(peerId);
    this.rows.patch(peerId, key, { state: 'active' });
    const saved = (_fileIndex: number, path: string) => this.rows.patch(peerId, key, { savedPaths: [...(this.rows.row(peerId, key)?.savedPaths ?? []), path] });
    const origin = offer.resumeKey === undefined ? undefined : this.deps.originOf(peerId);
    this.deps.downloads.openSink(offer, saved, origin).then(
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
    this.rows.patch(peerId, key, { state: 'declined', endedBy: 'here' });
  }

  cancel(peerId: string, key: string): void {
    this.running.get(handleKey(peerId, key))?.cancel();
  }

  /**
   * A device offers files: a resumed offer that continues an interrupted download here is taken
   * up at once; anything else is shown, then accepted at once if it is trusted and fits.
   */
  incoming(peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>): void {
    const origin = this.deps.originOf(peerId);
    if (offer.resume && offer.resumeKey !== undefined && origin && this.deps.downloads.resumeSink) {
      void this.restored.then(() => this.takeUp(peerId, offer, decision, handle, origin));
      return;
    }
    this.ask(peerId, offer, decision, handle);
  }

  /** A resumed offer: it continues an interrupted download here (taken up at once), or it is asked as a new one. */
  private takeUp(peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>, origin: TransferOrigin): void {
    const resumeSink = this.deps.downloads.resumeSink;
    const resumeKey = offer.resumeKey;
    if (!resumeSink || resumeKey === undefined) return this.ask(peerId, offer, decision, handle);
    const known = this.ledger.get(peerId, resumeKey);
    const key = known?.rowKey ?? this.freshKey(peerId, `in-${handle.transferId}`);
    const saved = (_fileIndex: number, path: string) => this.rows.patch(peerId, key, { savedPaths: [...(this.rows.row(peerId, key)?.savedPaths ?? []), path] });
    resumeSink(offer, saved, origin).then(
      (found) => {
        if (!found) return this.ask(peerId, offer, decision, handle);
        this.ledger.take(peerId, resumeKey);
        this.running.set(handleKey(peerId, key), { cancel: () => handle.cancel(), pause: () => handle.pause() });
        const { title, fileCount } = describe(offer.entries);
        const restarted = found.restarted.length ? `Changed on the other device, received again from the start: ${found.restarted.join(', ')}.` : undefined;
        if (this.rows.row(peerId, key)) this.rows.patch(peerId, key, { state: 'active', error: restarted, totalBytes: offer.totalBytes });
        else this.rows.add(peerId, { ...newRow(key, 'in', offer.entries, title, fileCount, offer.totalBytes), state: 'active', error: restarted });
        this.follow(peerId, key, handle, { direction: 'in', peerId, resumeKey, rowKey: key });
        decision.accept(found.sink, found.resume);
      },
      () => this.ask(peerId, offer, decision, handle),
    );
  }

  /** Shows an offer, then accepts it at once if the device is trusted and the files fit. */
  /** An offer Ferry declined before anyone was asked: a row (and a history line) says who tried what and why. */
  refused(peerId: string, transferId: number, error: FerryError): void {
    const key = this.freshKey(peerId, `in-${transferId}`);
    const row: TransferRow = { ...newRow(key, 'in', [], REFUSED_TITLE, 0, 0), state: 'failed', error: `Ferry refused it before asking you: ${error.message}` };
    this.rows.add(peerId, row);
    this.deps.ended?.(peerId, row);
  }

  private ask(peerId: string, offer: IncomingOffer, decision: IncomingDecision, handle: TransferHandle<ReceiverEvent>): void {
    const key = this.freshKey(peerId, `in-${handle.transferId}`);
    const { title, fileCount } = describe(offer.entries);
    this.running.set(handleKey(peerId, key), { cancel: () => handle.cancel(), pause: () => handle.pause(), decision, offer });
    this.rows.add(peerId, { ...newRow(key, 'in', offer.entries, title, fileCount, offer.totalBytes), state: 'offered' });
    this.follow(peerId, key, handle, offer.resumeKey === undefined ? undefined : { direction: 'in', peerId, resumeKey: offer.resumeKey, rowKey: key });
    // The first offer from a sender a transfer code proved is the one it was for (taken now,
    // so a later offer is asked about even if this one cannot fit).
    const byCode = this.deps.takeWithoutAsking?.(peerId) ?? false;
    // Space is checked before anyone is asked: an offer that cannot fit is never accepted.
    this.deps.downloads.checkSpace(offer.totalBytes).then(
      ({ fits, availableBytes, downloadDir }) => {
        if (!fits) {
          this.rows.patch(peerId, key, {
            spaceProblem: `Not enough free space in ${downloadDir}: these files need ${formatBytes(offer.totalBytes)} and ${formatBytes(availableBytes)} is available. Free some space or choose another download folder in Settings.`,
          });
          return;
        }
        if (byCode || (this.deps.store.get().settings?.autoAcceptTrusted && this.deps.store.isTrusted(peerId))) this.accept(peerId, key);
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

  /**
   * A transfer's events and ending, onto its row. A resumable one that is interrupted goes on the
   * ledger (an outgoing one keeps its files open); ended any other way, its files are closed.
   */
  private follow(peerId: string, key: string, handle: TransferHandle<SenderEvent> | TransferHandle<ReceiverEvent>, resumable?: Resumable): void {
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
          if (resumable?.direction === 'out') this.endOutgoing(resumable);
          this.rows.patch(peerId, key, { state: 'done', bytesDone: this.rows.row(peerId, key)?.totalBytes ?? 0 });
          this.notify(peerId, key);
        },
        (failure: TransferFailure) => {
          const row = this.rows.row(peerId, key);
          // Interrupted once accepted: kept to resume. An offer still unanswered just ends.
          if (failure.code === 'TRANSFER_PAUSED' && resumable) {
            this.ledger.add({ ...resumable, paused: true });
            this.rows.patch(peerId, key, { state: 'paused', error: failure.message, bytesPerSecond: 0 });
            return;
          }
          if (failure.code === 'TRANSFER_INTERRUPTED' && resumable && row?.state === 'active') {
            this.ledger.add(resumable);
            this.rows.patch(peerId, key, { state: 'interrupted', error: failure.message, bytesPerSecond: 0 });
            this.notify(peerId, key);
            return;
          }
          if (resumable?.direction === 'out') this.endOutgoing(resumable);
          // A failure already shown (the download folder refused the files) keeps its reason.
          if (row?.state !== 'failed' || row.error === undefined) this.rows.patch(peerId, key, endedWith(failure, row?.state, this.deps.store.conversation(peerId)?.peerName ?? peerId));
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
