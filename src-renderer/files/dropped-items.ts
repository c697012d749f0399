import { FerryError, MAX_TRANSFER_ENTRIES } from '../../src-core/index';

/** A file or an (empty or not) folder to send, with its path relative to what was dropped. */
export type PickedItem = { path: string; file: File } | { path: string; directory: true };

/**
 * What was dropped: files, and folders walked recursively (empty folders included), with their
 * relative paths ("Holiday/notes/todo.txt"). The entries must be taken from the DataTransfer
 * during the drop event itself (the browser empties it afterwards), so call this synchronously
 * from the handler and await the result.
 */
export function collectDropped(data: DataTransfer): Promise<PickedItem[]> {
  const entries = [...data.items].flatMap((item): Array<FileSystemEntry | File> => {
    if (item.kind !== 'file') return [];
    const entry = item.webkitGetAsEntry?.();
    if (entry) return [entry];
    const file = item.getAsFile();
    return file ? [file] : [];
  });
  return (async () => {
    const out: PickedItem[] = [];
    for (const entry of entries) {
      if (entry instanceof File) out.push({ path: entry.name, file: entry });
      else await walk(entry, entry.name, out);
    }
    return out;
  })();
}

async function walk(entry: FileSystemEntry, path: string, out: PickedItem[]): Promise<void> {
  if (out.length > MAX_TRANSFER_ENTRIES) throw new FerryError('MANIFEST_INVALID', `A transfer can hold at most ${MAX_TRANSFER_ENTRIES} files and folders.`);
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
    return;
  }
  if (!entry.isDirectory) return;
  out.push({ path, directory: true });
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, `${path}/${child.name}`, out);
  }
}
