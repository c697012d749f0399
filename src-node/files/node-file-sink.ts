import { constants } from 'node:fs';
import { type FileHandle, link, mkdir, mkdtemp, open, rename, rm, rmdir, stat, statfs, unlink, utimes } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { checkManifestPaths, FerryError, type FileSink, type IncomingOffer, parseRelativePath } from '../../src-core/index.js';
import { StagingJournal } from './staging-journal.js';
import { JOURNAL_FILE, JOURNAL_VERSION, OFFER_FILE, type StagedOffer, type StagedProgress, writeAtomically } from './transfer-journal.js';
import { numberedName } from './unique-name.js';

type SinkOffer = Pick<IncomingOffer, 'entries' | 'totalBytes'>;

/** What a resumable download journals about its offer (SPEC.md, "The receiver's journal"). */
export type ResumableOffer = Omit<StagedOffer, 'version' | 'topNames' | 'createdAt'>;

export const STAGING_PREFIX = '.ferry-incoming-';

/**
 * Receives one transfer into a download folder. Bytes go to `<index>.part` files inside a
 * hidden staging folder (no name from the peer is ever used there); a file reaches its final
 * name only through finalize(), after its digest matched: fsync, modification time, then an
 * atomic no-overwrite move. Top-level names are made unique ("report (1).pdf"). Nothing is
 * created outside the download folder.
 */
export class NodeFileSink implements FileSink {
  private readonly handles = new Map<number, Promise<FileHandle>>();
  private readonly finalPaths = new Map<number, string>();
  private readonly createdDirs: string[] = [];
  private aborted = false;
  private readonly fileCount: number;
  private journal: StagingJournal | undefined;

  private constructor(
    private readonly downloadDir: string,
    readonly stagingDir: string,
    private readonly offer: SinkOffer,
    /** Top-level segment of the offer → the unique name chosen for it in the download folder. */
    private readonly topNames: Map<string, string>,
    /** Reopened staging of a resumed transfer: its part files exist already. */
    private readonly resumed = false,
  ) {
    this.fileCount = offer.entries.filter((e) => e.kind === 'file').length;
  }

  /**
   * Checks space, reserves top-level folder names and creates the staging folder; a resumable
   * offer gets its journal there (SPEC.md, "The receiver's journal").
   */
  static async create(downloadDir: string, offer: SinkOffer, resumable?: ResumableOffer, now: () => number = Date.now): Promise<NodeFileSink> {
    checkManifestPaths(offer.entries);
    await ensureFreeSpace(downloadDir, offer.totalBytes);
    const stagingDir = await mkdtemp(join(downloadDir, STAGING_PREFIX));
    const sink = new NodeFileSink(downloadDir, stagingDir, offer, new Map());
    try {
      await sink.reserveTopLevelFolders();
      await sink.createDirectories();
      if (sink.fileCount === 0) await rm(stagingDir, { recursive: true, force: true });
      else if (resumable) {
        const staged: StagedOffer = { version: JOURNAL_VERSION, ...resumable, createdAt: Math.floor(now()), topNames: Object.fromEntries(sink.topNames) };
        await writeAtomically(stagingDir, OFFER_FILE, staged);
        sink.journal = new StagingJournal(stagingDir, (files) => sink.syncFiles(files), now);
        await writeAtomically(stagingDir, JOURNAL_FILE, sink.journal.snapshot());
      }
    } catch (error) {
      await sink.abort();
      throw error;
    }
    return sink;
  }

  /**
   * The staging of an interrupted transfer, opened again for its resume: the same folder, the
   * same reserved names, the files already in place; the journal goes on from where it was.
   */
  static reopen(downloadDir: string, stagingDir: string, staged: StagedOffer, progress: StagedProgress, now: () => number = Date.now): NodeFileSink {
    const totalBytes = staged.entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
    const sink = new NodeFileSink(downloadDir, stagingDir, { entries: staged.entries, totalBytes }, new Map(Object.entries(staged.topNames)), true);
    for (const [fileIndex, path] of progress.done) sink.finalPaths.set(fileIndex, path);
    // Its reserved folders go with it if it is discarded and they stayed empty.
    for (const name of Object.values(staged.topNames)) sink.createdDirs.push(join(downloadDir, name));
    sink.journal = new StagingJournal(stagingDir, (files) => sink.syncFiles(files), now, progress);
    return sink;
  }

  /** Where each finished file landed. */
  get savedFiles(): ReadonlyMap<number, string> {
    return this.finalPaths;
  }

  /** True once every file of the transfer is in its final place. */
  get complete(): boolean {
    return this.finalPaths.size === this.fileCount;
  }

  async write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    if (this.journal?.failure) throw new FerryError('SINK_FAILED', `Could not keep the transfer's journal: ${this.journal.failure.message}`, { cause: this.journal.failure });
    const entry = this.offer.entries[fileIndex];
    if (entry?.kind !== 'file' || offset + bytes.length > entry.size || this.finalPaths.has(fileIndex)) {
      throw new FerryError('SINK_FAILED', `A write outside file ${fileIndex} was refused.`);
    }
    const handle = await this.handle(fileIndex);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, offset + written);
      written += bytesWritten;
    }
  }

  async finalize(fileIndex: number): Promise<void> {
    const entry = this.offer.entries[fileIndex];
    if (entry?.kind !== 'file') throw new FerryError('SINK_FAILED', `Entry ${fileIndex} is not a file.`);
    const handle = await this.handle(fileIndex);
    await handle.sync();
    // Durable now: taken out before it closes, so the journal's syncs leave it alone.
    this.handles.delete(fileIndex);
    await handle.close();
    const part = this.partPath(fileIndex);
    // Seconds as a float lose a nanosecond now and then (…744 ms becomes …743.999999): aim at the
    // middle of the millisecond so the stored time reads back as the sender's.
    const mtime = (entry.mtime + 0.5) / 1000;
    await utimes(part, mtime, mtime);
    const segments = parseRelativePath(entry.path);
    if (segments.length === 1) {
      this.finalPaths.set(fileIndex, await this.moveToUniqueName(part, segments[0] as string));
    } else {
      const target = this.resolveInside(segments);
      await mkdir(dirname(target), { recursive: true });
      await moveNoOverwrite(part, target);
      this.finalPaths.set(fileIndex, target);
    }
    // The last file is in place: the staging folder (and its journal) goes.
    if (this.finalPaths.size === this.fileCount) {
      await this.journal?.stop();
      await rm(this.stagingDir, { recursive: true, force: true });
    } else {
      await this.journal?.fileDone(fileIndex, this.finalPaths.get(fileIndex) as string);
    }
  }

  /** A verified block: journaled once its staging file is fsynced (batched; see StagingJournal). */
  async blockVerified(fileIndex: number, block: number, digest: string): Promise<void> {
    this.journal?.blockVerified(fileIndex, block, digest);
  }

  /** The connection went: what is verified is made durable and journaled; the staging stays. */
  async suspend(): Promise<void> {
    if (!this.journal) return this.abort();
    if (this.aborted) return;
    this.aborted = true;
    try {
      await this.journal.close();
    } finally {
      await this.closeHandles();
    }
  }

  private async syncFiles(fileIndexes: readonly number[]): Promise<void> {
    for (const fileIndex of fileIndexes) {
      // Not open: finalized already (fsynced before it closed), or never written.
      const pending = this.handles.get(fileIndex);
      if (!pending) continue;
      try {
        await (await pending).datasync();
      } catch (error) {
        // Closed meanwhile by finalize(), which fsynced it first: nothing is lost.
        if (this.handles.get(fileIndex) === pending) throw error;
      }
    }
  }

  private async closeHandles(): Promise<void> {
    for (const pending of this.handles.values()) {
      await pending.then((h) => h.close()).catch(() => {});
    }
    this.handles.clear();
  }

  /** Removes staging files and the folders this sink created that stayed empty. */
  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    await this.journal?.stop();
    for (const pending of this.handles.values()) {
      await pending.then((h) => h.close()).catch(() => {});
    }
    this.handles.clear();
    await rm(this.stagingDir, { recursive: true, force: true });
    for (const dir of [...this.createdDirs].reverse()) await rmdir(dir).catch(() => {});
  }

  private handle(fileIndex: number): Promise<FileHandle> {
    let pending = this.handles.get(fileIndex);
    if (!pending) {
      if (this.aborted) return Promise.reject(new FerryError('SINK_FAILED', 'The transfer was aborted.'));
      // A resumed transfer writes into the part files it left; a new one creates them, never reusing one.
      pending = open(this.partPath(fileIndex), constants.O_CREAT | constants.O_RDWR | (this.resumed ? 0 : constants.O_EXCL), 0o644);
      this.handles.set(fileIndex, pending);
    }
    return pending;
  }

  private partPath(fileIndex: number): string {
    return join(this.stagingDir, `${fileIndex}.part`);
  }

  /** Reserves a unique name for every top-level folder by creating it (mkdir is atomic). */
  private async reserveTopLevelFolders(): Promise<void> {
    for (const entry of this.offer.entries) {
      const segments = parseRelativePath(entry.path);
      const top = segments[0] as string;
      if (this.topNames.has(top) || (segments.length === 1 && entry.kind === 'file')) continue;
      for (let n = 0; ; n++) {
        const name = numberedName(top, n, false);
        try {
          await mkdir(join(this.downloadDir, name));
          this.createdDirs.push(join(this.downloadDir, name));
          this.topNames.set(top, name);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 10_000) throw error;
        }
      }
    }
  }

  private async createDirectories(): Promise<void> {
    for (const entry of this.offer.entries) {
      if (entry.kind !== 'directory') continue;
      const segments = parseRelativePath(entry.path);
      if (segments.length === 1) continue; // reserved above
      const dir = this.resolveInside(segments);
      const created = await mkdir(dir, { recursive: true });
      if (created) this.createdDirs.push(dir);
    }
  }

  /** The final path of a nested entry, checked to stay inside the download folder. */
  private resolveInside(segments: string[]): string {
    const [top, ...rest] = segments;
    const target = join(this.downloadDir, this.topNames.get(top as string) ?? (top as string), ...rest);
    const rel = relative(this.downloadDir, target);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new FerryError('PATH_INVALID', `Refused to write outside the download folder: ${segments.join('/')}.`);
    }
    return target;
  }

  private async moveToUniqueName(part: string, name: string): Promise<string> {
    for (let n = 0; n <= 10_000; n++) {
      const target = join(this.downloadDir, numberedName(name, n, true));
      try {
        await moveNoOverwrite(part, target);
        return target;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new FerryError('SINK_FAILED', `No free name for "${name}".`);
  }
}

/** Moves `from` to `to`, failing with EEXIST rather than replacing an existing file. */
async function moveNoOverwrite(from: string, to: string): Promise<void> {
  try {
    await link(from, to); // atomic, and refuses to overwrite
    await unlink(from);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
      const exists = await stat(to).then(() => true, () => false);
      if (exists) throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
      await rename(from, to);
      return;
    }
    throw error;
  }
}

/** Room kept free for the system: an offer must fit with this much to spare. */
const SPACE_RESERVE_BYTES = 64 * 1024 * 1024;

/** Whether `bytes` fit in `dir`'s file system, keeping the reserve; and how much is usable. */
export async function spaceFor(dir: string, bytes: number): Promise<{ fits: boolean; availableBytes: number }> {
  const stats = await statfs(dir);
  const availableBytes = Math.max(0, Number(stats.bavail) * Number(stats.bsize) - SPACE_RESERVE_BYTES);
  return { fits: bytes <= availableBytes, availableBytes };
}

/** Refuses an offer that would not fit, keeping a little room for the system. */
export async function ensureFreeSpace(dir: string, bytes: number): Promise<void> {
  const { fits, availableBytes } = await spaceFor(dir, bytes);
  if (!fits) {
    throw new FerryError(
      'SINK_FAILED',
      `Not enough free space: the files need ${formatBytes(bytes)} and ${formatBytes(availableBytes)} are available.`,
    );
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
