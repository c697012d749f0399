/**
 * A cap on the messages `peer` holds for one offline peer. `peer` queues every message whose
 * destination is not connected, without bound, until `expire_timeout`; a client could fill the
 * server's memory by writing to ids that never connect. Its queues are private, so this mirrors
 * their lifetime: a queue starts with its first message, is emptied when the peer connects, and
 * is pruned once `expire_timeout` has passed (checked by `peer` every `cleanup_out_msgs`).
 * The mirror forgets a queue only after `peer` surely has (unless its timer runs very late), so
 * the cap holds; a few messages may be refused just after `peer` pruned — for a peer that is
 * offline anyway.
 */
export class OfflineQueueCap {
  private readonly queues = new Map<string, { count: number; startedAt: number }>();

  constructor(
    private readonly limit: number,
    /** expire_timeout + peer's pruning interval. */
    private readonly lifetimeMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Counts one message for `peerId`; false when its queue is full (the message must be dropped). */
  admit(peerId: string): boolean {
    const now = this.now();
    let queue = this.queues.get(peerId);
    if (queue === undefined || now - queue.startedAt > this.lifetimeMs) {
      queue = { count: 0, startedAt: now };
      this.queues.set(peerId, queue);
    }
    if (queue.count >= this.limit) return false;
    queue.count++;
    return true;
  }

  /** The peer connected: `peer` delivered and cleared its queue. */
  delivered(peerId: string): void {
    this.queues.delete(peerId);
  }

  sweep(): void {
    const now = this.now();
    for (const [peerId, queue] of this.queues) {
      if (now - queue.startedAt > this.lifetimeMs) this.queues.delete(peerId);
    }
  }

  get size(): number {
    return this.queues.size;
  }
}
