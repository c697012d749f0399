/**
 * The deadlines of the messages this node held in Redis, per destination, oldest first. When one
 * passes, the node asks Redis for its entries that are still there (not taken by a registration)
 * and answers their senders with EXPIRE, as a single `peer` does for its own queue.
 */
export class HeldDeadlines {
  private readonly byPeer = new Map<string, number[]>();

  add(peerId: string, deadline: number): void {
    const list = this.byPeer.get(peerId);
    if (list === undefined) this.byPeer.set(peerId, [deadline]);
    else list.push(deadline);
  }

  /** Destinations with a deadline at or before `now` (forgotten here: Redis is asked once). */
  due(now: number): string[] {
    const due: string[] = [];
    for (const [peerId, list] of this.byPeer) {
      let passed = 0;
      while (passed < list.length && (list[passed] as number) <= now) passed++;
      if (passed === 0) continue;
      due.push(peerId);
      if (passed === list.length) this.byPeer.delete(peerId);
      else list.splice(0, passed);
    }
    return due;
  }

  get size(): number {
    return this.byPeer.size;
  }
}
