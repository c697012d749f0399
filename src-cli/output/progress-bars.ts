import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { formatBytes, type TransferRow } from '../../src-engine/index.js';

/** "1.2 MB/s · 0:42 left", or what the transfer waits for. */
function speedAndLeft(row: TransferRow): string {
  switch (row.state) {
    case 'active': {
      if (row.bytesPerSecond <= 0) return 'starting';
      const left = Math.max(0, Math.round((row.totalBytes - row.bytesDone) / row.bytesPerSecond));
      return `${formatBytes(Math.round(row.bytesPerSecond))}/s · ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
    }
    case 'offered':
    case 'waiting':
      return 'waiting for the other side';
    case 'paused':
      return 'paused';
    case 'interrupted':
      return 'connection lost, will resume';
    case 'done':
    case 'failed':
    case 'cancelled':
    case 'declined':
      return row.state;
    default: {
      const unreachable: never = row.state;
      return unreachable;
    }
  }
}

/** The file being moved now: the first not verified, by the bytes before it. */
function currentFile(row: TransferRow): { path: string; size: number; done: number } | undefined {
  const file = row.files.find((f) => !f.done && row.bytesDone < f.offset + f.size) ?? row.files.find((f) => !f.done);
  if (!file) return undefined;
  return { path: file.path, size: file.size, done: Math.min(file.size, Math.max(0, row.bytesDone - file.offset)) };
}

interface Bars {
  transfer: SingleBar;
  file: SingleBar | undefined;
}

/** One bar per transfer and, for several files, one for the file in flight (cli-progress, on stderr). */
export class ProgressBars {
  /** Drawn while some transfer shows; a new one for the next (a stopped MultiBar stays stopped). */
  private drawing: MultiBar | undefined;
  private readonly bars = new Map<string, Bars>();

  constructor(private readonly stream: NodeJS.WritableStream) {}

  private get multi(): MultiBar {
    this.drawing ??= new MultiBar(
      {
        stream: this.stream,
        format: '{label} |{bar}| {percentage}% {bytes} · {speed}',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
        fps: 8,
        autopadding: true,
      },
      Presets.shades_classic,
    );
    return this.drawing;
  }

  show(peerName: string, row: TransferRow): void {
    let bars = this.bars.get(row.key);
    const arrow = row.direction === 'out' ? `→ ${peerName}` : `← ${peerName}`;
    const total = Math.max(1, row.totalBytes);
    if (!bars) {
      bars = { transfer: this.multi.create(total, 0, {}), file: row.fileCount > 1 ? this.multi.create(1, 0, {}) : undefined };
      this.bars.set(row.key, bars);
    }
    bars.transfer.update(Math.min(row.bytesDone, total), { label: `${row.title} ${arrow}`, bytes: `${formatBytes(row.bytesDone)} of ${formatBytes(row.totalBytes)}`, speed: speedAndLeft(row) });
    const file = currentFile(row);
    if (bars.file && file) {
      bars.file.setTotal(Math.max(1, file.size));
      bars.file.update(file.done, { label: `  ${file.path}`, bytes: `${formatBytes(file.done)} of ${formatBytes(file.size)}`, speed: '' });
    }
  }

  /** The transfer's bar stays, as it ended; once none is moving, drawing stops (lines after it stay below). */
  end(peerName: string, row: TransferRow): void {
    const bars = this.bars.get(row.key);
    if (!bars) return;
    this.show(peerName, row);
    if (bars.file) this.multi.remove(bars.file);
    this.bars.delete(row.key);
    if (this.bars.size === 0) this.stop();
  }

  /** A line above the bars (cli-progress keeps them drawn below it). */
  log(text: string): void {
    // cli-progress prints logged lines on its next redraw, and it redraws only while bars are shown.
    if (this.drawing === undefined) this.stream.write(`${text}\n`);
    else this.drawing.log(`${text}\n`);
  }

  stop(): void {
    this.drawing?.stop();
    this.drawing = undefined;
  }
}
