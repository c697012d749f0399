import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FileSource, ManifestEntry } from '../../src-core/index.js';
import { FerryError } from '../../src-core/index.js';

/**
 * Builds a manifest from files and folders picked or dropped by the user: folders are walked,
 * empty folders kept, relative paths use "/". Symbolic links are skipped rather than followed,
 * so a folder cannot smuggle in files from elsewhere.
 */
export async function manifestFromPaths(paths: readonly string[]): Promise<{ entries: ManifestEntry[]; files: Map<number, string> }> {
  const entries: ManifestEntry[] = [];
  const files = new Map<number, string>();
  const visit = async (absolute: string, relativePath: string): Promise<void> => {
    const info = await lstat(absolute);
    if (info.isSymbolicLink()) return;
    if (info.isDirectory()) {
      entries.push({ kind: 'directory', path: relativePath });
      const children = (await readdir(absolute)).sort();
      for (const child of children) await visit(join(absolute, child), `${relativePath}/${child}`);
    } else if (info.isFile()) {
      files.set(entries.length, absolute);
      entries.push({ kind: 'file', path: relativePath, size: info.size, mtime: Math.floor(info.mtimeMs) });
    }
  };
  for (const path of paths) await visit(path, basename(path));
  return { entries, files };
}

/** Reads chunks from the files of a manifest by position; handles open lazily, one per file. */
export class NodeFileSource implements FileSource {
  private readonly handles = new Map<number, Promise<FileHandle>>();
  private lastFile = -1;

  constructor(private readonly files: ReadonlyMap<number, string>) {}

  async read(fileIndex: number, offset: number, into: Uint8Array): Promise<void> {
    const handle = await this.handle(fileIndex);
    let filled = 0;
    while (filled < into.length) {
      const { bytesRead } = await handle.read(into, filled, into.length - filled, offset + filled);
      if (bytesRead === 0) {
        throw new FerryError('SOURCE_FAILED', `"${this.files.get(fileIndex)}" became shorter while it was being sent.`);
      }
      filled += bytesRead;
    }
  }

  async close(): Promise<void> {
    for (const pending of this.handles.values()) await pending.then((h) => h.close()).catch(() => {});
    this.handles.clear();
  }

  private handle(fileIndex: number): Promise<FileHandle> {
    let pending = this.handles.get(fileIndex);
    if (!pending) {
      const path = this.files.get(fileIndex);
      if (path === undefined) return Promise.reject(new FerryError('SOURCE_FAILED', `No file for entry ${fileIndex}.`));
      // Files are read mostly in order: close the previous file's handle when moving on.
      if (this.lastFile !== -1 && this.lastFile < fileIndex) {
        const previous = this.handles.get(this.lastFile);
        this.handles.delete(this.lastFile);
        void previous?.then((h) => h.close()).catch(() => {});
      }
      pending = open(path, 'r');
      this.handles.set(fileIndex, pending);
    }
    this.lastFile = Math.max(this.lastFile, fileIndex);
    return pending;
  }
}
