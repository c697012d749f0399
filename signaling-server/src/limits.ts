/** Per-client-address limits: open WebSocket connections and a token bucket for messages. */
export interface AddressLimits {
  /** Connections open at once from one address; 0 = no limit. */
  maxConnections: number;
  /** Sustained messages per second from one address (all its sockets together); 0 = no limit. */
  messagesPerSecond: number;
  /** Messages an address may send in a burst above the rate. */
  burst: number;
}

/** One address's state. Sockets keep a reference, so a message costs no map lookup. */
export interface AddressState {
  readonly address: string;
  connections: number;
  tokens: number;
  refilledAt: number;
}

/**
 * Token buckets keyed by client address. An address's state outlives its last connection until
 * its bucket is full again (swept periodically): otherwise a flooder could reconnect to refill.
 * Memory is one small object per address with a connection or a recent one.
 */
export class AddressLimiter {
  private readonly byAddress = new Map<string, AddressState>();

  constructor(
    private readonly limits: AddressLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a connection slot, or returns undefined when the address has too many already. */
  open(address: string): AddressState | undefined {
    let state = this.byAddress.get(address);
    if (state === undefined) {
      state = { address, connections: 0, tokens: this.limits.burst, refilledAt: this.now() };
      this.byAddress.set(address, state);
    }
    if (this.limits.maxConnections > 0 && state.connections >= this.limits.maxConnections) return undefined;
    state.connections++;
    return state;
  }

  close(state: AddressState): void {
    state.connections--;
  }

  /** Takes one message's token; false means the address is over its rate. */
  take(state: AddressState): boolean {
    const rate = this.limits.messagesPerSecond;
    if (rate <= 0) return true;
    const now = this.now();
    const refill = ((now - state.refilledAt) * rate) / 1000;
    state.tokens = Math.min(this.limits.burst, state.tokens + refill);
    state.refilledAt = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  /** Forgets addresses with no connection whose bucket has refilled. */
  sweep(): void {
    const now = this.now();
    const rate = this.limits.messagesPerSecond;
    for (const [address, state] of this.byAddress) {
      if (state.connections > 0) continue;
      const full = rate <= 0 || state.tokens + ((now - state.refilledAt) * rate) / 1000 >= this.limits.burst;
      if (full) this.byAddress.delete(address);
    }
  }

  /** Addresses tracked (for tests and status). */
  get size(): number {
    return this.byAddress.size;
  }
}
