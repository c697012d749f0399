import { mkdir } from 'node:fs/promises';
import type { DownloadsPort } from '../../src-engine/index.js';
import { NodeFileSink, spaceFor } from '../files/node-file-sink.js';

/**
 * Received files straight to disk, next to the engine: staged as `.part` files, fsynced, renamed
 * atomically once verified (NodeFileSink). `downloadDir` is asked at each offer, so a folder
 * chosen in Settings applies to the next transfer; `fileSaved` hears each verified file's path.
 */
export function nodeDownloads(downloadDir: () => Promise<string>, fileSaved: (path: string) => void = () => {}): DownloadsPort {
  return {
    checkSpace: async (totalBytes) => {
      const dir = await downloadDir();
      await mkdir(dir, { recursive: true });
      return { ...(await spaceFor(dir, totalBytes)), downloadDir: dir };
    },
    openSink: async (offer, saved) => {
      const dir = await downloadDir();
      await mkdir(dir, { recursive: true });
      const sink = await NodeFileSink.create(dir, offer);
      return {
        write: (fileIndex, offset, bytes) => sink.write(fileIndex, offset, bytes),
        finalize: async (fileIndex) => {
          await sink.finalize(fileIndex);
          const path = sink.savedFiles.get(fileIndex);
          if (path === undefined) return;
          fileSaved(path);
          saved(fileIndex, path);
        },
        abort: () => sink.abort(),
      };
    },
  };
}
