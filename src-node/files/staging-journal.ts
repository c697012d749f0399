import { JOURNAL_FILE, JOURNAL_VERSION, type StagedProgress, writeAtomically } from './transfer-journal.js';

/**
 * Verified blocks are journaled as soon as the previous write is done (one batch at a time), so a
 * crash costs about one block plus what one fsync takes to arrive (bench:resume).
 */
const FLUSH_DELAY_MS = 0;

/**
 * The live journal of one resumable download: verified blocks are recorded only after their
 * staging files are fsynced (`syncFiles`), in batches, so the journal never claims a block that
 * is not durable; finished files are recorded at once. Writes are serialised.
 */
export class StagingJournal {
  private readonly blocks = new Map<number, Map<number, string>>();
  private readonly done = new Map<number, string>();
  private pending: Array<[number, number, string]> = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Why the journal could not be written, once it could not: the sink then fails. */
  failure: Error | undefined;

  constructor(
    private readonly dir: string,
    private readonly syncFiles: (fileIndexes: readonly number[]) => Promise<void>,
    private readonly now: () => number,
    initial?: StagedProgress,
  ) {
    for (const [fileIndex, block, digest] of initial?.blocks ?? []) this.blockMap(fileIndex).set(block, digest);
    for (const [fileIndex, path] of initial?.done ?? []) this.done.set(fileIndex, path);
  }

  blockVerified(fileIndex: number, block: number, digest: string): void {
    if (this.stopped) return;
    this.pending.push([fileIndex, block, digest]);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => {});
    }, FLUSH_DELAY_MS);
  }

  /** A file is in its final place (already fsynced): recorded before this resolves. */
  async fileDone(fileIndex: number, path: string): Promise<void> {
    if (this.stopped) return;
    this.done.set(fileIndex, path);
    this.blocks.delete(fileIndex);
    this.pending = this.pending.filter(([f]) => f !== fileIndex);
    await this.flush();
  }

  /** Makes every verified block durable and journaled. */
  flush(): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped && this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      if (batch.length > 0) await this.syncFiles([...new Set(batch.map(([f]) => f))]);
      for (const [fileIndex, block, digest] of batch) if (!this.done.has(fileIndex)) this.blockMap(fileIndex).set(block, digest);
      await writeAtomically(this.dir, JOURNAL_FILE, this.snapshot());
    }).catch((error: unknown) => {
      // Stopped meanwhile: the staging folder went (the transfer completed or was discarded).
      if (!this.stopped) throw error;
    });
    this.chain = run.catch((error: unknown) => {
      this.failure ??= error as Error;
    });
    return run;
  }

  /** Flushes what is verified, then takes no more (the transfer is suspended). */
  async close(): Promise<void> {
    this.clearTimer();
    await this.flush();
    this.stopped = true;
  }

  /**
   * Takes no more and writes nothing more; resolves once a write under way has ended, so the
   * staging folder can go (a journal file written into it meanwhile would keep it from going).
   */
  async stop(): Promise<void> {
    this.clearTimer();
    this.stopped = true;
    this.pending = [];
    await this.chain;
  }

  snapshot(): StagedProgress {
    const blocks: Array<[number, number, string]> = [];
    for (const [fileIndex, map] of this.blocks) for (const [block, digest] of map) blocks.push([fileIndex, block, digest]);
    return { version: JOURNAL_VERSION, updatedAt: Math.floor(this.now()), blocks, done: [...this.done] };
  }

  private blockMap(fileIndex: number): Map<number, string> {
    let map = this.blocks.get(fileIndex);
    if (!map) this.blocks.set(fileIndex, (map = new Map()));
    return map;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
