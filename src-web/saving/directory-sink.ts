import type { FileSink, IncomingOffer } from '../../src-core/index';

/** The parts of the File System Access API this uses (Chromium's; not in TypeScript's DOM lib yet). */
export interface DirectoryHandle {
  readonly name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
}
export interface FileHandle {
  createWritable(options?: { keepExistingData?: boolean }): Promise<WritableFile>;
}
export interface WritableFile {
  write(data: { type: 'write'; position: number; data: Uint8Array }): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** "report (2).pdf": the first name not taken in `dir`. */
async function freeName(dir: DirectoryHandle, name: string, taken: (dir: DirectoryHandle, name: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(dir, name))) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!(await taken(dir, candidate))) return candidate;
  }
}

const exists = async (dir: DirectoryHandle, name: string): Promise<boolean> => {
  for (const get of [() => dir.getFileHandle(name), () => dir.getDirectoryHandle(name)]) {
    try {
      await get();
      return true;
    } catch {
      // not this kind, or not there
    }
  }
  return false;
};

/**
 * An offer saved into a folder the person chose (File System Access API). Each file is written
 * at its offsets into the browser's swap copy, which becomes the file only when it is closed —
 * after its digest matched. The top-level names are made unique in that folder (nothing there is
 * overwritten); a file not verified when the transfer fails goes, name and all.
 */
export async function directorySink(root: DirectoryHandle, offer: IncomingOffer, saved: (fileIndex: number, path: string) => void): Promise<FileSink> {
  /** Top-level name in the offer → the name it gets here (a promise: files of one new folder are looked up at once). */
  const tops = new Map<string, Promise<string>>();
  const folders = new Map<string, DirectoryHandle>([['', root]]);
  // Promises, kept at once: writes to one file come concurrently, and each must find the same writer.
  const writers = new Map<number, Promise<{ writable: WritableFile; dir: DirectoryHandle; name: string }>>();
  const folder = async (parts: readonly string[]): Promise<DirectoryHandle> => {
    let path = '';
    let dir = root;
    for (const part of parts) {
      path = path ? `${path}/${part}` : part;
      const known = folders.get(path);
      if (known) {
        dir = known;
        continue;
      }
      dir = await dir.getDirectoryHandle(part, { create: true });
      folders.set(path, dir);
    }
    return dir;
  };
  const localPath = async (path: string): Promise<string[]> => {
    const [top = '', ...rest] = path.split('/');
    let mine = tops.get(top);
    if (mine === undefined) {
      mine = freeName(root, top, exists);
      tops.set(top, mine);
    }
    return [await mine, ...rest];
  };
  // Folders first (empty ones too), as the offer lists them.
  for (const entry of offer.entries) if (entry.kind === 'directory') await folder(await localPath(entry.path));
  const open = async (fileIndex: number) => {
    const entry = offer.entries[fileIndex];
    if (entry?.kind !== 'file') throw new Error(`No file for entry ${fileIndex}.`);
    const parts = await localPath(entry.path);
    const dir = await folder(parts.slice(0, -1));
    const name = parts[parts.length - 1] as string;
    const handle = await dir.getFileHandle(name, { create: true });
    return { writable: await handle.createWritable({ keepExistingData: false }), dir, name };
  };
  const writer = async (fileIndex: number): Promise<WritableFile> => {
    let opening = writers.get(fileIndex);
    if (!opening) {
      opening = open(fileIndex);
      writers.set(fileIndex, opening);
    }
    return (await opening).writable;
  };
  return {
    write: async (fileIndex, offset, bytes) => (await writer(fileIndex)).write({ type: 'write', position: offset, data: bytes }),
    finalize: async (fileIndex) => {
      const writable = await writer(fileIndex);
      await writable.close();
      writers.delete(fileIndex);
      saved(fileIndex, `${root.name}/${(await localPath(offer.entries[fileIndex]?.path ?? '')).join('/')}`);
    },
    abort: async () => {
      // Verified files stay (as a download folder keeps them); the others go, with the empty
      // file the API made for each under its name.
      const opened = [...writers.values()];
      writers.clear();
      await Promise.all(
        opened.map(async (opening) => {
          const { writable, dir, name } = await opening;
          await writable.abort().catch(() => {});
          await dir.removeEntry(name).catch(() => {});
        }),
      );
    },
  };
}
