import { basename } from 'node:path';
import { FerryError } from '../../src-core/index.js';
import type { OutgoingFiles } from '../../src-engine/index.js';
import { manifestFromPaths, NodeFileSource } from '../files/node-file-source.js';

/** Files and folders picked or dropped, as paths: walked into a manifest, read from disk when sent. */
export async function outgoingFromPaths(paths: readonly string[]): Promise<OutgoingFiles> {
  let manifest: Awaited<ReturnType<typeof manifestFromPaths>>;
  try {
    manifest = await manifestFromPaths(paths);
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const name = path ? `“${basename(path)}”` : 'A file';
    const why = code === 'ENOENT' ? 'no such file or folder (moved or deleted?)' : code === 'EACCES' || code === 'EPERM' ? 'Ferry may not read it' : (error as Error).message;
    throw new FerryError('SOURCE_FAILED', `${name} cannot be sent: ${why}.`, { cause: error });
  }
  const source = new NodeFileSource(manifest.files);
  return { entries: manifest.entries, source, release: () => source.close() };
}
