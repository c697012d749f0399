import { FerryError } from '../errors.js';
import { encodeUtf8 } from '../utf8.js';

/*
 * Paths in an offer come from a peer we do not trust. A path is accepted only if it is a plain
 * relative path that means the same thing, and stays inside the download folder, on Linux,
 * macOS and Windows alike. Anything else is refused, never "repaired": silently renaming a
 * hostile name would hide the attack from the user.
 */

export const MAX_PATH_LENGTH = 4096;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_DEPTH = 64;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
// Control characters, format characters (bidi overrides, zero-width joiners), and the line and
// paragraph separators: they hide or spoof what a name says.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
// Characters Windows forbids in names; also the path separators of every platform.
const FORBIDDEN = /[<>:"|?*\\]/;

function refuse(path: string, why: string): FerryError {
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  return new FerryError('PATH_INVALID', `Refused the file name ${shown}: ${why}.`);
}

/** Returns the path's segments, NFC-normalised, or throws PATH_INVALID. */
export function parseRelativePath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) throw refuse(String(path), 'it is empty');
  if (path.length > MAX_PATH_LENGTH) throw refuse(path, `it is longer than ${MAX_PATH_LENGTH} characters`);
  const normalised = path.normalize('NFC');
  if (INVISIBLE.test(normalised)) throw refuse(path, 'it contains control or invisible characters');
  if (normalised.startsWith('/')) throw refuse(path, 'it is an absolute path');
  const segments = normalised.split('/');
  if (segments.length > MAX_PATH_DEPTH) throw refuse(path, `it is nested deeper than ${MAX_PATH_DEPTH} folders`);
  for (const segment of segments) {
    if (segment.length === 0) throw refuse(path, 'it has an empty folder name');
    if (segment === '.' || segment === '..') throw refuse(path, 'it points outside its folder');
    if (FORBIDDEN.test(segment)) throw refuse(path, 'it contains a character that is not allowed in file names');
    if (/[. ]$/.test(segment)) throw refuse(path, 'a name ends with a dot or a space');
    if (WINDOWS_RESERVED.test(segment)) throw refuse(path, 'it uses a name reserved for devices');
    if (encodeUtf8(segment).length > MAX_SEGMENT_BYTES) throw refuse(path, `a name is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return segments;
}

/**
 * Checks a whole manifest's paths together: each valid, none twice (comparing as a
 * case-insensitive file system would), and no file where another entry needs a folder.
 */
export function checkManifestPaths(entries: readonly { path: string; kind: 'file' | 'directory' }[]): void {
  const seen = new Map<string, 'file' | 'directory'>();
  const folderOfSomething = new Set<string>();
  for (const entry of entries) {
    const segments = parseRelativePath(entry.path);
    const key = segments.join('/').toLowerCase();
    if (seen.has(key)) throw refuse(entry.path, 'the offer names it twice');
    seen.set(key, entry.kind);
    for (let i = 1; i < segments.length; i++) folderOfSomething.add(segments.slice(0, i).join('/').toLowerCase());
  }
  for (const folder of folderOfSomething) {
    if (seen.get(folder) === 'file') throw refuse(folder, 'it is both a file and a folder in the offer');
  }
}
