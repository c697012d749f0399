import type { ByteTarget } from './byte-target.js';

/**
 * The largest offer a page may hold in memory (a Blob) to save it: where it can neither write to
 * a folder nor stream a download (a page served over plain HTTP). Chromium fails Blobs far short
 * of a gigabyte (filepizza#8); this stays well below.
 */
export const BLOB_LIMIT_BYTES = 200 * 1000 * 1000;

/** A download made from memory once complete: for small offers only (BLOB_LIMIT_BYTES). */
export function blobDownload(name: string, size: number | undefined): ByteTarget {
  if (size === undefined || size > BLOB_LIMIT_BYTES) {
    throw new Error(`This page can save at most ${BLOB_LIMIT_BYTES / 1e6} MB here: it is served over plain HTTP, where browsers allow neither writing to a folder nor streaming a download. Open it over HTTPS to receive more.`);
  }
  let parts: Uint8Array[] = [];
  return {
    write: async (bytes) => void parts.push(bytes.slice()),
    close: async () => {
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'application/octet-stream' }));
      parts = [];
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    abort: async () => {
      parts = [];
    },
  };
}
