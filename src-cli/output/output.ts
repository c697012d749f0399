import type { TransferRow } from '../../src-engine/index.js';
import { ProgressBars } from './progress-bars.js';
import { progressEvent, type TransferEvent } from './transfer-event.js';

/** How the CLI talks: bars on a terminal, key lines when piped or --quiet, JSON lines with --json. */
export type OutputMode = 'tty' | 'plain' | 'json';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** JSON progress lines at most this often per transfer (a script wants news, not a flood). */
const JSON_PROGRESS_EVERY_MS = 250;

/**
 * Everything the CLI says. Results (a code, saved files) go to stdout; what it is doing and
 * progress go to stderr, so `ferry send x | …` pipes only what matters. In JSON mode stdout holds
 * JSON lines only, one object each, every one with an `event`.
 */
export class Output {
  private readonly bars: ProgressBars | undefined;
  private readonly lastJsonProgress = new Map<string, number>();

  constructor(
    readonly mode: OutputMode,
    private readonly streams: OutputStreams,
    private readonly now: () => number = Date.now,
  ) {
    this.bars = mode === 'tty' ? new ProgressBars(streams.stderr) : undefined;
  }

  static choose(options: { json: boolean; quiet: boolean }, streams: OutputStreams): Output {
    const mode: OutputMode = options.json ? 'json' : options.quiet || !streams.stderr.isTTY ? 'plain' : 'tty';
    return new Output(mode, streams);
  }

  /** What is happening, for a person (stderr; nothing in JSON mode). */
  status(text: string): void {
    if (this.mode === 'json') return;
    if (this.bars) this.bars.log(text);
    else this.streams.stderr.write(`${text}\n`);
  }

  /** A result: words for a person on stdout, the object for a script. */
  result(text: string, event: { event: string } & Record<string, unknown>): void {
    if (this.mode === 'json') this.json(event);
    // One terminal for both: the line goes above the bars, not through them.
    else if (this.bars && this.streams.stdout.isTTY) this.bars.log(text);
    else this.streams.stdout.write(`${text}\n`);
  }

  /** A failure: words on stderr, or an `error` event. */
  error(message: string, code: string): void {
    if (this.mode === 'json') this.json({ event: 'error', code, message });
    else {
      this.bars?.stop();
      this.streams.stderr.write(`ferry: ${message}\n`);
    }
  }

  /** A transfer's state now (bars redrawn; JSON progress throttled; plain says nothing until it ends). */
  transfer(peerName: string, row: TransferRow): void {
    if (this.bars) this.bars.show(peerName, row);
    if (this.mode !== 'json' || row.state !== 'active') return;
    const at = this.now();
    const last = this.lastJsonProgress.get(row.key);
    if (last !== undefined && at - last < JSON_PROGRESS_EVERY_MS) return;
    this.lastJsonProgress.set(row.key, at);
    this.json(progressEvent(peerName, row));
  }

  /** A transfer ended: its bar goes, and a JSON line says how. */
  transferEnded(event: TransferEvent, row: TransferRow): void {
    this.bars?.end(event.device, row);
    if (this.mode === 'json') this.json(event);
  }

  close(): void {
    this.bars?.stop();
  }

  private json(value: object): void {
    this.streams.stdout.write(`${JSON.stringify(value)}\n`);
  }
}
