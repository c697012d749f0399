/**
 * Bytes written at any offset, handed on strictly in order: a stream (a download, a zip) takes
 * bytes front to back, while chunks arrive out of order across a link's stripes and repairs. What
 * comes early waits here: across stripes, a window's worth; behind a chunk awaiting repair
 * (partial mode), what the sender moves until the repair lands (its repair time at the link's rate).
 */
export class OrderedBytes {
  private next = 0;
  private readonly early = new Map<number, Uint8Array>();
  private earlyBytes = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly deliver: (bytes: Uint8Array) => Promise<void>) {}

  /** Bytes handed on so far (the offset the next delivery starts at). */
  get delivered(): number {
    return this.next;
  }

  /** Bytes waiting for the bytes before them. */
  get waiting(): number {
    return this.earlyBytes;
  }

  /** Settles once these bytes are handed on or kept; writes are taken one at a time, in call order. */
  write(offset: number, bytes: Uint8Array): Promise<void> {
    const done = this.tail.then(() => this.take(offset, bytes));
    this.tail = done.catch(() => {});
    return done;
  }

  private async take(offset: number, bytes: Uint8Array): Promise<void> {
    if (offset > this.next) {
      // Kept as a copy: the writer may reuse its buffer once the write settles.
      if (!this.early.has(offset)) {
        this.early.set(offset, bytes.slice());
        this.earlyBytes += bytes.length;
      }
      return;
    }
    await this.hand(offset, bytes);
    for (;;) {
      const found = [...this.early.keys()].find((at) => at <= this.next);
      if (found === undefined) return;
      const kept = this.early.get(found) as Uint8Array;
      this.early.delete(found);
      this.earlyBytes -= kept.length;
      await this.hand(found, kept);
    }
  }

  /** Hands on what of `bytes` lies past `next` (a repeated or overlapping chunk adds only what is new). */
  private async hand(offset: number, bytes: Uint8Array): Promise<void> {
    const fresh = bytes.subarray(Math.max(0, this.next - offset));
    if (fresh.length === 0) return;
    this.next += fresh.length;
    await this.deliver(fresh);
  }
}
