import type { OutgoingFiles } from '../../src-engine/index.js';
import { manifestFromPaths, NodeFileSource } from '../files/node-file-source.js';

/** Files and folders picked or dropped, as paths: walked into a manifest, read from disk when sent. */
export async function outgoingFromPaths(paths: readonly string[]): Promise<OutgoingFiles> {
  const { entries, files } = await manifestFromPaths(paths);
  const source = new NodeFileSource(files);
  return { entries, source, release: () => source.close() };
}
