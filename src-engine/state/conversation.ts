import type { DeviceKind, IncomingOffer } from '../../src-core/index.js';
import type { ConnectionPath } from '../link/connection-path.js';
import type { LinkState } from '../link/peer-link.js';

/** What the window shows of one device: its link, its messages, its transfers. */
export interface ChatLine {
  id: string;
  direction: 'out' | 'in';
  body: string;
  at: number;
  delivery: 'sending' | 'delivered' | 'failed' | 'received';
}

/**
 * `interrupted`: the connection went; it resumes when the two devices meet again. `paused`: a
 * person paused it; it resumes when someone says so (SPEC.md, "Resume").
 */
export type TransferState = 'offered' | 'waiting' | 'active' | 'paused' | 'interrupted' | 'done' | 'declined' | 'cancelled' | 'failed';

export interface TransferRow {
  key: string;
  direction: 'out' | 'in';
  title: string;
  fileCount: number;
  totalBytes: number;
  bytesDone: number;
  state: TransferState;
  error: string | undefined;
  /**
   * The offer's files (the first 50), for the accept prompt and per-file progress: `offset` is
   * the bytes of the files before it (chunks go out in manifest order), `done` once verified.
   */
  files: TransferFile[];
  /** Where received files were saved (verified, under their final names). */
  savedPaths: string[];
  /** Smoothed throughput while active, for speed and time left. */
  bytesPerSecond: number;
  /** An offer that cannot fit the download folder: why, in words (Accept is not offered). */
  spaceProblem: string | undefined;
  /** Cancelled or declined: by a person here, or by the other device (undefined otherwise). */
  endedBy: 'here' | 'there' | undefined;
  /** What the offer holds at its top level (the first OFFER_TOPS): a folder counts what is in it. */
  tops: OfferTop[];
  /** When the row appeared, in this engine's order across devices (the transfers view sorts by it). */
  seq: number;
}

export interface OfferTop {
  name: string;
  kind: 'file' | 'folder';
  fileCount: number;
  bytes: number;
}

/** Top-level entries an offer's summary lists; the rest are counted, not named. */
export const OFFER_TOPS = 20;

/** An offer by its top-level entries, in manifest order: "Photos" (505 files, 1.2 GB), "notes.txt". */
export function offerTops(entries: IncomingOffer['entries']): OfferTop[] {
  const tops = new Map<string, OfferTop>();
  for (const e of entries) {
    const [name = '', ...rest] = e.path.split('/');
    const kind = rest.length > 0 || e.kind === 'directory' ? 'folder' : 'file';
    const top = tops.get(name) ?? { name, kind, fileCount: 0, bytes: 0 };
    if (kind === 'folder') top.kind = 'folder';
    if (e.kind === 'file') {
      top.fileCount++;
      top.bytes += e.size;
    }
    tops.set(name, top);
  }
  return [...tops.values()];
}

export interface TransferFile {
  /** Its index in the manifest (the wire's file index). */
  index: number;
  path: string;
  size: number;
  offset: number;
  done: boolean;
}

export interface Conversation {
  peerId: string;
  peerName: string | undefined;
  /** What it runs Ferry as (its hello says; undefined until then, or if it does not say). */
  peerKind: DeviceKind | undefined;
  state: LinkState;
  /** Direct, or relayed through TURN (read from the selected ICE candidate pair). */
  path: ConnectionPath | undefined;
  /** The words of the key the device proved in its session (to compare with what it shows). */
  keyWords: string[] | undefined;
  error: string | undefined;
  lines: ChatLine[];
  transfers: TransferRow[];
}

/** "report.pdf", or "Photos (12 files)", or "3 files". */
export function describe(entries: IncomingOffer['entries']): { title: string; fileCount: number } {
  const files = entries.filter((e) => e.kind === 'file');
  const tops = new Set(entries.map((e) => e.path.split('/')[0]));
  const [onlyTop] = tops;
  if (files.length === 1 && tops.size === 1) return { title: files[0]?.path ?? '', fileCount: 1 };
  if (tops.size === 1 && onlyTop) return { title: `${onlyTop} (${files.length} files)`, fileCount: files.length };
  return { title: `${files.length} files`, fileCount: files.length };
}

export function newRow(key: string, direction: 'in' | 'out', entries: IncomingOffer['entries'], title: string, fileCount: number, totalBytes: number): TransferRow {
  const files: TransferFile[] = [];
  let offset = 0;
  entries.forEach((e, index) => {
    if (e.kind !== 'file') return;
    if (files.length < 50) files.push({ index, path: e.path, size: e.size, offset, done: false });
    offset += e.size;
  });
  return { key, direction, title, fileCount, totalBytes, bytesDone: 0, state: 'waiting', error: undefined, files, savedPaths: [], bytesPerSecond: 0, spaceProblem: undefined, endedBy: undefined, tops: offerTops(entries).slice(0, OFFER_TOPS), seq: 0 };
}

