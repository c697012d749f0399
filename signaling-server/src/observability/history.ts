import { randomBytes } from 'node:crypto';
import { eventFrame } from './sse-frame.js';

/**
 * The last `size` events, as ready-to-send frames, so a browser that reconnects with
 * Last-Event-ID gets exactly what it missed.
 *
 * Ids are "<epoch>.<seq>": seq counts from 1 without gaps, and the epoch is random per server
 * instance. After a restart the browser still holds an id from the old instance; with bare
 * numbers the new instance would replay its own events on top of the old instance's counts,
 * whereas a foreign epoch makes it send a fresh snapshot.
 */
export class EventHistory {
  readonly epoch = randomBytes(4).toString('hex');
  private readonly frames: string[];
  private seq = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('history size must be a positive integer');
    // A ring: event seq lives in slot seq % size, overwritten once `size` newer events exist.
    this.frames = new Array<string>(size);
  }

  /** The id of the newest event ("<epoch>.0" before the first). */
  get lastId(): string {
    return `${this.epoch}.${this.seq}`;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Numbers the event, keeps its frame, and returns the frame to send. */
  append(type: string, data: unknown): string {
    this.seq++;
    const frame = eventFrame(this.lastId, type, data);
    this.frames[this.seq % this.size] = frame;
    return frame;
  }

  /**
   * The frames after `lastEventId`, oldest first; an empty list when nothing was missed.
   * Undefined when history cannot fill the gap (no id, an id from another instance, one
   * from the future, or one older than the oldest event kept): the caller sends a snapshot.
   */
  since(lastEventId: string | undefined): string[] | undefined {
    const match = /^([0-9a-f]{8})\.(\d{1,15})$/.exec(lastEventId ?? '');
    if (!match || match[1] !== this.epoch) return undefined;
    const after = Number(match[2]);
    const oldestKept = Math.max(1, this.seq - this.size + 1);
    if (after > this.seq || after < oldestKept - 1) return undefined;
    const missed: string[] = [];
    for (let seq = after + 1; seq <= this.seq; seq++) missed.push(this.frames[seq % this.size] ?? '');
    return missed;
  }
}
