import { makeZip } from 'client-zip';
import type { FileSink, IncomingOffer } from '../../src-core/index';
import type { ByteTarget } from './byte-target.js';
import { OrderedBytes } from './ordered-bytes.js';

/** Chunks handed to the zip before the bytes wait for it: small, the zip reads as it writes. */
const ZIP_QUEUE_CHUNKS = 8;

type Entry = IncomingOffer['entries'][number];

/** The name a streamed offer is saved under: its one file's name, or its top folder's (or "Ferry files") as a zip. */
export function streamedName(entries: readonly Entry[]): { name: string; zip: boolean } {
  const files = entries.filter((e) => e.kind === 'file');
  const only = entries.length === 1 ? files[0] : undefined;
  if (only) return { name: only.path.split('/').pop() ?? only.path, zip: false };
  const tops = new Set(entries.map((e) => e.path.split('/')[0]));
  const [top] = tops;
  return { name: `${tops.size === 1 && top ? top : 'Ferry files'}.zip`, zip: true };
}

/**
 * An offer saved as one stream, never held whole: a single file as itself, anything else as a
 * zip made on the fly (folders, empty ones too, as folders in it). The stream closes — and the
 * browser names the file — only once every file was verified; any failure aborts it.
 */
export function streamedSink(offer: IncomingOffer, open: (name: string, size: number | undefined) => ByteTarget, saved: (fileIndex: number, path: string) => void): FileSink {
  const { name, zip } = streamedName(offer.entries);
  const starts = new Map<number, number>();
  let total = 0;
  offer.entries.forEach((entry, index) => {
    if (entry.kind !== 'file') return;
    starts.set(index, total);
    total += entry.size;
  });
  const fileCount = starts.size;
  const finalized = new Set<number>();
  let target: ByteTarget;
  let deliver: (bytes: Uint8Array) => Promise<void>;
  let zipDone: Promise<void> = Promise.resolve();
  let failZip: (reason: Error) => void = () => {};
  if (!zip) {
    const only = offer.entries[0] as Entry;
    target = open(name, only.kind === 'file' ? only.size : 0);
    deliver = (bytes) => target.write(bytes);
  } else {
    target = open(name, undefined);
    const queue = new ChunkQueue(ZIP_QUEUE_CHUNKS);
    deliver = (bytes) => queue.put(bytes);
    failZip = (reason) => queue.fail(reason);
    zipDone = pump(makeZip(zipEntries(offer.entries, queue)), target);
    // A zip that cannot be made fails its writers at once (not after a stalled write's timeout).
    zipDone.catch((error: unknown) => queue.fail(error instanceof Error ? error : new Error(String(error))));
    // Only folders: no file is ever verified, so the zip is complete as soon as it is made.
    if (starts.size === 0) void zipDone.then(() => target.close()).catch(() => {});
  }
  const ordered = new OrderedBytes(deliver);
  const allVerified = () => finalized.size === fileCount;
  return {
    write: (fileIndex, offset, bytes) => {
      const start = starts.get(fileIndex);
      if (start === undefined) return Promise.reject(new Error(`No file for entry ${fileIndex}.`));
      return ordered.write(start + offset, bytes);
    },
    finalize: async (fileIndex) => {
      finalized.add(fileIndex);
      saved(fileIndex, name);
      if (!allVerified()) return;
      await zipDone;
      await target.close();
    },
    abort: async () => {
      failZip(new Error('The transfer ended before it was complete.'));
      await target.abort('The transfer ended before it was complete.');
    },
  };
}

/** Manifest order, as the bytes come: folders as "path/" entries, each file's bytes from the queue. */
async function* zipEntries(entries: readonly Entry[], queue: ChunkQueue): AsyncGenerator<{ name: string } | { name: string; lastModified: Date; size: number; input: AsyncIterable<Uint8Array> }> {
  for (const entry of entries) {
    if (entry.kind === 'directory') {
      yield { name: `${entry.path}/` };
      continue;
    }
    yield { name: entry.path, lastModified: new Date(entry.mtime), size: entry.size, input: queue.take(entry.size) };
  }
}

async function pump(stream: ReadableStream<Uint8Array>, target: ByteTarget): Promise<void> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    await target.write(value);
  }
}

/** A bounded queue of chunks between the ordered bytes and the zip's reader of each file. */
class ChunkQueue {
  private readonly chunks: Uint8Array[] = [];
  private failure: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private readonly capacity: number) {}

  async put(bytes: Uint8Array): Promise<void> {
    while (this.chunks.length >= this.capacity && !this.failure) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    if (this.failure) throw this.failure;
    this.chunks.push(bytes.slice());
    this.wakeReader?.();
  }

  /** The next `size` bytes, as they come (split where a chunk crosses into the next file). */
  async *take(size: number): AsyncGenerator<Uint8Array> {
    let left = size;
    while (left > 0) {
      while (this.chunks.length === 0 && !this.failure) await new Promise<void>((resolve) => (this.wakeReader = resolve));
      if (this.failure) throw this.failure;
      const chunk = this.chunks[0] as Uint8Array;
      if (chunk.length <= left) {
        this.chunks.shift();
        left -= chunk.length;
        this.wakeWriter?.();
        yield chunk;
      } else {
        this.chunks[0] = chunk.subarray(left);
        yield chunk.subarray(0, left);
        left = 0;
      }
    }
  }

  fail(reason: Error): void {
    this.failure = reason;
    this.wakeReader?.();
    this.wakeWriter?.();
  }
}
