import { randomBytes } from 'node:crypto';
import { checkManifestPaths, FerryError, type ManifestEntry, randomId } from '../../src-core/index.js';
import { NodeFileSink } from './node-file-sink.js';

/**
 * Incoming transfers' sinks, kept by main and addressed by the renderer with opaque ids. Main
 * trusts the renderer no more than the peer: the manifest is checked again here, and every
 * write is bounded by the file it claims to belong to.
 */
export class Downloads {
  private readonly sinks = new Map<string, NodeFileSink>();
  /** Every file saved under its final name in this run (so "Show in folder" shows only those). */
  readonly savedPaths = new Set<string>();

  constructor(
    private readonly downloadDir: () => string,
    private readonly maxConcurrent = 32,
  ) {}

  async start(entries: ManifestEntry[], totalBytes: number): Promise<{ sinkId: string }> {
    if (this.sinks.size >= this.maxConcurrent) throw new FerryError('SINK_FAILED', 'Too many transfers are being received at once.');
    checkManifestPaths(entries);
    const sum = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
    if (sum !== totalBytes) throw new FerryError('MANIFEST_INVALID', 'The sizes do not add up.');
    const sink = await NodeFileSink.create(this.downloadDir(), { entries, totalBytes });
    const sinkId = randomId({ randomBytes: (n) => new Uint8Array(randomBytes(n)) });
    this.sinks.set(sinkId, sink);
    return { sinkId };
  }

  async write(sinkId: string, fileIndex: number, offset: number, bytes: Uint8Array): Promise<null> {
    await this.sink(sinkId).write(fileIndex, offset, bytes);
    return null;
  }

  async finalize(sinkId: string, fileIndex: number): Promise<{ path: string }> {
    const sink = this.sink(sinkId);
    await sink.finalize(fileIndex);
    const path = sink.savedFiles.get(fileIndex) as string;
    this.savedPaths.add(path);
    if (sink.complete) this.sinks.delete(sinkId);
    return { path };
  }

  async abort(sinkId: string): Promise<null> {
    const sink = this.sinks.get(sinkId);
    this.sinks.delete(sinkId);
    await sink?.abort();
    return null;
  }

  /** Aborts everything (the window closed or the app quits). */
  async abortAll(): Promise<void> {
    await Promise.all([...this.sinks.keys()].map((id) => this.abort(id)));
  }

  private sink(sinkId: string): NodeFileSink {
    const sink = this.sinks.get(sinkId);
    if (!sink) throw new FerryError('SINK_FAILED', 'That transfer is not being received (it ended or never started).');
    return sink;
  }
}
