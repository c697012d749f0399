/*
 * The browser peer: send or receive with a one-time code, on the engine every Ferry runs
 * (src-engine), in this page, on the browser's WebRTC. Served by the signaling server (--web-page).
 */
import { formatBytes, type EngineSnapshot, type TransferRow } from '../src-engine/index';
import { BlobSource, manifestFromFiles } from '../src-renderer/files/blob-source';
import { blobDownload, BLOB_LIMIT_BYTES } from './saving/blob-download';
import { type DirectoryHandle, directorySink } from './saving/directory-sink';
import { canStreamDownloads, startDownloadWorker, streamDownload } from './saving/download-stream';
import { streamedSink } from './saving/streamed-sink';
import { startPageEngine } from './page-engine';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nameInput = $<HTMLInputElement>('name');
nameInput.value = sessionStorage.getItem('ferry-name') ?? 'A browser';
nameInput.addEventListener('change', () => sessionStorage.setItem('ferry-name', nameInput.value.trim() || 'A browser'));
$('server').textContent = location.host;

type DirectoryPicker = (options: { mode: 'readwrite' }) => Promise<DirectoryHandle>;
const pickDirectory = (window as unknown as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
/** Where the next offer goes: chosen when the person asks to receive. */
let saveTo: DirectoryHandle | 'download' | undefined;

const streaming = await startDownloadWorker('/sw.js');
$('save-hint').textContent = pickDirectory
  ? 'You choose a folder; each file appears there once it has arrived and been verified.'
  : streaming
    ? 'Files are saved to your browser’s downloads as they arrive (several files or a folder as one .zip).'
    : `This page is served over plain HTTP, so the browser lets it neither write to a folder nor stream a download: it can receive up to ${BLOB_LIMIT_BYTES / 1e6} MB. Open it over HTTPS to receive more.`;

const { engine } = await startPageEngine({
  deviceName: () => nameInput.value.trim() || 'A browser',
  saveInto: async (offer, saved) => {
    if (saveTo && saveTo !== 'download') return directorySink(saveTo, offer, saved);
    // Streamed where the page's worker runs (the person cancelling the download cancels the
    // transfer); else, for a small offer only, from memory.
    if (canStreamDownloads()) return streamedSink(offer, (name, size) => streamDownload(name, size, cancelRunning), saved);
    return streamedSink(offer, (name) => blobDownload(name, offer.totalBytes), saved);
  },
});

function cancelRunning(): void {
  const running = currentRow(engine.getSnapshot());
  if (running) engine.cancelTransfer(running.peerId, running.row.key);
  else engine.cancelCodeTransfer();
}

function send(files: File[]): void {
  if (files.length === 0) return;
  const { entries, blobs } = manifestFromFiles(files);
  engine.sendFilesWithCode({ entries, source: new BlobSource(blobs) });
}
for (const id of ['send-files', 'send-folder']) {
  const input = $<HTMLInputElement>(id);
  input.addEventListener('change', () => {
    send([...(input.files ?? [])]);
    input.value = '';
  });
}

$<HTMLFormElement>('receive-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = $<HTMLInputElement>('receive-code').value.trim();
  if (!code) return;
  // The folder is asked for first, while the click still counts as the person's.
  const choose = pickDirectory ? pickDirectory({ mode: 'readwrite' }) : Promise.resolve('download' as const);
  void choose.then(
    (chosen) => {
      saveTo = chosen;
      engine.receiveWithCode(code);
    },
    () => {},
  );
});
$('cancel').addEventListener('click', cancelRunning);
// Leaving the page ends what runs: the other side hears a cancel, and nothing stays half-written.
addEventListener('pagehide', () => {
  const running = currentRow(engine.getSnapshot());
  if (running && !['done', 'failed', 'cancelled', 'declined'].includes(running.row.state)) engine.cancelTransfer(running.peerId, running.row.key);
});

/** The code transfer's row: the one transfer this page runs at a time. */
function currentRow(s: EngineSnapshot): { peerId: string; name: string; row: TransferRow } | undefined {
  const peerId = s.codeTransfer?.kind === 'connected' ? s.codeTransfer.peerId : undefined;
  const conversation = s.conversations.find((c) => c.peerId === peerId);
  const row = conversation?.transfers.at(-1);
  return peerId && row ? { peerId, name: conversation?.peerName ?? 'the other device', row } : undefined;
}

const WORDS: Record<TransferRow['state'], string> = {
  offered: 'Offered',
  waiting: 'Waiting for the other side',
  active: 'Moving',
  paused: 'Paused',
  interrupted: 'Interrupted: the connection went',
  done: 'Done, verified',
  declined: 'Declined',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function render(): void {
  const s = engine.getSnapshot();
  const signaling = s.signaling;
  $('connection').textContent =
    signaling?.kind === 'connected' ? `Connected to ${location.host}` : signaling?.kind === 'offline' ? `Cannot reach ${location.host}: ${signaling.reason}` : 'Connecting…';
  const code = s.codeTransfer;
  const codeBox = $('code-box');
  codeBox.hidden = code?.kind !== 'showing';
  if (code?.kind === 'showing') $('code').textContent = code.code;
  const current = currentRow(s);
  const transfer = $('transfer');
  const status = $('transfer-status');
  transfer.hidden = !current && code?.kind !== 'failed' && code?.kind !== 'working';
  if (current) {
    const { row, name } = current;
    const direction = row.direction === 'out' ? `to ${name}` : `from ${name}`;
    const speed = row.state === 'active' && row.bytesPerSecond > 0 ? ` · ${formatBytes(Math.round(row.bytesPerSecond))}/s` : '';
    status.textContent = `${row.title} ${direction}: ${WORDS[row.state]}${row.error ? ` — ${row.error}` : ''} (${formatBytes(row.bytesDone)} of ${formatBytes(row.totalBytes)}${speed})`;
    $<HTMLProgressElement>('transfer-progress').value = row.totalBytes > 0 ? row.bytesDone / row.totalBytes : 1;
  } else if (code?.kind === 'failed') {
    status.textContent = code.message;
  } else if (code?.kind === 'working') {
    status.textContent = 'Checking the code…';
  }
}
engine.subscribe(render);
render();
