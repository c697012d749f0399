import type { Runtime } from '../runtime.js';
import type { FileSink, FileSource } from '../transfer/endpoint.js';
import type { ReceiverResume } from '../transfer/receiver.js';

/** Files as byte arrays: a source for the sender side of core tests. */
export class MemorySource implements FileSource {
  constructor(private readonly files: ReadonlyMap<number, Uint8Array>) {}

  async read(fileIndex: number, offset: number, into: Uint8Array): Promise<void> {
    const file = this.files.get(fileIndex);
    if (!file || offset + into.length > file.length) throw new Error(`read past the end of file ${fileIndex}`);
    into.set(file.subarray(offset, offset + into.length));
  }
}

/** A sink that keeps bytes in memory, with an optional per-write delay to play a slow disk. */
export class MemorySink implements FileSink {
  readonly files = new Map<number, Uint8Array>();
  readonly finalized = new Set<number>();
  aborted = false;
  private sizes: ReadonlyMap<number, number>;

  constructor(
    sizes: ReadonlyMap<number, number>,
    private readonly slowDisk?: { runtime: Runtime; writeDelayMs: number },
  ) {
    this.sizes = sizes;
  }

  async write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    const slow = this.slowDisk;
    if (slow) await new Promise<void>((resolve) => slow.runtime.setTimer(slow.writeDelayMs, resolve));
    let file = this.files.get(fileIndex);
    if (!file) {
      file = new Uint8Array(this.sizes.get(fileIndex) ?? 0);
      this.files.set(fileIndex, file);
    }
    file.set(bytes, offset);
  }

  async finalize(fileIndex: number): Promise<void> {
    if (!this.files.has(fileIndex)) this.files.set(fileIndex, new Uint8Array(0));
    this.finalized.add(fileIndex);
  }

  async abort(): Promise<void> {
    this.aborted = true;
  }
}

/**
 * A memory sink that keeps a journal, as a resumable download folder does: the verified blocks
 * (with their digests) and finished files survive suspend(), and resumeFrom() says what it holds.
 */
export class ResumableMemorySink extends MemorySink {
  readonly journal = new Map<number, Map<number, string>>();
  suspended = false;

  override async write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    this.suspended = false;
    await super.write(fileIndex, offset, bytes);
  }

  async blockVerified(fileIndex: number, block: number, digest: string): Promise<void> {
    let blocks = this.journal.get(fileIndex);
    if (!blocks) this.journal.set(fileIndex, (blocks = new Map()));
    blocks.set(block, digest);
  }

  async suspend(): Promise<void> {
    this.suspended = true;
  }

  /** What a resumed offer is answered with. */
  resumeFrom(): ReceiverResume {
    const blocks = new Map([...this.journal].filter(([fileIndex]) => !this.finalized.has(fileIndex)));
    return { complete: [...this.finalized], blocks };
  }
}
