import type { FileSink, IncomingOffer } from '../../src-core/index';
import { call, ferryApi } from '../platform';

/** Contiguous chunks are sent to main together, up to this much: one IPC call instead of 16. */
const BATCH_BYTES = 1024 * 1024;

interface Batch {
  fileIndex: number;
  offset: number;
  parts: Uint8Array[];
  length: number;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Received chunks go to main, which writes them to the download folder; main's answer to each
 * write is the acknowledgement that lets the receiver grant more credit. Chunks that continue
 * one another (the usual case) are coalesced into one write of up to 1 MiB, sent as soon as the
 * current task ends or the batch is full, so IPC costs per megabyte, not per chunk.
 */
export class IpcFileSink implements FileSink {
  private batch: Batch | undefined;

  private constructor(
    private readonly sinkId: string,
    private readonly onSaved: (fileIndex: number, path: string) => void,
  ) {}

  /**
   * Asks main to prepare the download folder (free space, unique names, staging). `onSaved`
   * hears where each verified file ended up.
   */
  static async open(offer: IncomingOffer, onSaved: (fileIndex: number, path: string) => void = () => {}): Promise<IpcFileSink> {
    const { sinkId } = await call(ferryApi().receiveStart([...offer.entries], offer.totalBytes));
    return new IpcFileSink(sinkId, onSaved);
  }

  write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    const batch = this.batch;
    const continues = batch && batch.fileIndex === fileIndex && batch.offset + batch.length === offset && batch.length + bytes.length <= BATCH_BYTES;
    if (!continues) {
      this.flush();
      this.batch = { fileIndex, offset, parts: [], length: 0, waiters: [] };
      queueMicrotask(() => setTimeout(() => this.flush(), 0));
    }
    const current = this.batch as Batch;
    current.parts.push(bytes);
    current.length += bytes.length;
    const written = new Promise<void>((resolve, reject) => current.waiters.push({ resolve, reject }));
    if (current.length >= BATCH_BYTES) this.flush();
    return written;
  }

  async finalize(fileIndex: number): Promise<void> {
    this.flush();
    const { path } = await call(ferryApi().receiveFinalize(this.sinkId, fileIndex));
    this.onSaved(fileIndex, path);
  }

  private flush(): void {
    const batch = this.batch;
    if (!batch || batch.parts.length === 0) return;
    this.batch = undefined;
    const bytes = batch.parts.length === 1 ? (batch.parts[0] as Uint8Array) : concat(batch.parts, batch.length);
    call(ferryApi().receiveWrite(this.sinkId, batch.fileIndex, batch.offset, bytes)).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  async abort(): Promise<void> {
    await call(ferryApi().receiveAbort(this.sinkId));
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
