import { FerryError } from '../errors.js';
import type { ManifestEntry } from '../wire/control.js';

/**
 * How a manifest maps onto chunks. Entries keep their manifest index ("file index" on the
 * wire); directories have no chunks. Chunks are numbered per file and, for bookkeeping, also
 * globally in manifest order (the order a sender first sends them).
 */
export class TransferPlan {
  readonly chunkCounts: readonly number[];
  /** Global index of each entry's first chunk. */
  readonly firstChunk: readonly number[];
  readonly totalChunks: number;
  readonly totalBytes: number;

  constructor(
    readonly entries: readonly ManifestEntry[],
    readonly chunkSize: number,
  ) {
    const counts: number[] = [];
    const firsts: number[] = [];
    let total = 0;
    let bytes = 0;
    for (const entry of entries) {
      const chunks = entry.kind === 'file' ? Math.ceil(entry.size / chunkSize) : 0;
      firsts.push(total);
      counts.push(chunks);
      total += chunks;
      bytes += entry.kind === 'file' ? entry.size : 0;
    }
    if (total > 0xffffffff) throw new FerryError('MANIFEST_INVALID', 'The offer has too many chunks.');
    this.chunkCounts = counts;
    this.firstChunk = firsts;
    this.totalChunks = total;
    this.totalBytes = bytes;
  }

  isFile(fileIndex: number): boolean {
    return this.entries[fileIndex]?.kind === 'file';
  }

  fileSize(fileIndex: number): number {
    const entry = this.entries[fileIndex];
    return entry?.kind === 'file' ? entry.size : 0;
  }

  chunkLength(fileIndex: number, chunkIndex: number): number {
    const size = this.fileSize(fileIndex);
    return Math.max(0, Math.min(this.chunkSize, size - chunkIndex * this.chunkSize));
  }

  globalIndex(fileIndex: number, chunkIndex: number): number {
    return (this.firstChunk[fileIndex] ?? 0) + chunkIndex;
  }

  /** The (file, chunk) of a global chunk index. Binary search over first chunks. */
  locate(global: number): { fileIndex: number; chunkIndex: number } {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.firstChunk[mid] ?? 0) <= global) lo = mid;
      else hi = mid - 1;
    }
    // Skip entries without chunks that share the same first index.
    while (lo < this.entries.length - 1 && (this.chunkCounts[lo] ?? 0) === 0) lo++;
    return { fileIndex: lo, chunkIndex: global - (this.firstChunk[lo] ?? 0) };
  }
}
