import type { FileSource, ManifestEntry } from '../../src-core/index';

/** Reads chunks from File/Blob slices: never the whole file at once. */
export class BlobSource implements FileSource {
  constructor(private readonly blobs: ReadonlyMap<number, Blob>) {}

  async read(fileIndex: number, offset: number, into: Uint8Array): Promise<void> {
    const blob = this.blobs.get(fileIndex);
    if (!blob) throw new Error(`No file for entry ${fileIndex}.`);
    const bytes = new Uint8Array(await blob.slice(offset, offset + into.length).arrayBuffer());
    if (bytes.length !== into.length) throw new Error('The file changed while it was being sent.');
    into.set(bytes);
  }
}

/**
 * A manifest from picked files. Files from a folder picker carry `webkitRelativePath`
 * ("Photos/2026/a.jpg"); their folders become directory entries so the structure survives.
 */
export function manifestFromFiles(files: readonly File[]): { entries: ManifestEntry[]; blobs: Map<number, Blob> } {
  const entries: ManifestEntry[] = [];
  const blobs = new Map<number, Blob>();
  const folders = new Set<string>();
  for (const file of files) {
    const path = file.webkitRelativePath || file.name;
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (!folders.has(folder)) {
        folders.add(folder);
        entries.push({ kind: 'directory', path: folder });
      }
    }
    blobs.set(entries.length, file);
    entries.push({ kind: 'file', path, size: file.size, mtime: Math.max(0, Math.floor(file.lastModified)) });
  }
  return { entries, blobs };
}
