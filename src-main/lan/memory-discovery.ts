import type { LanDiscovery } from './discovery.js';
import type { ServerAdvert } from './election.js';

/**
 * An in-memory stand-in for mDNS, for tests: every discovery on one bus hears every
 * advertisement (after a delay, like the network) and every goodbye.
 */
export class MemoryDiscoveryBus {
  private readonly members = new Set<MemoryDiscovery>();
  readonly adverts = new Map<string, ServerAdvert>();

  constructor(readonly delayMs = 5) {}

  join(host: string): MemoryDiscovery {
    const member = new MemoryDiscovery(this, host);
    this.members.add(member);
    return member;
  }

  leave(member: MemoryDiscovery): void {
    this.members.delete(member);
  }

  announce(advert: ServerAdvert): void {
    this.adverts.set(advert.serverId, advert);
    for (const member of this.members) setTimeout(() => member.hear(advert), this.delayMs);
  }

  goodbye(serverId: string): void {
    this.adverts.delete(serverId);
    for (const member of this.members) setTimeout(() => member.gone(serverId), this.delayMs);
  }
}

export class MemoryDiscovery implements LanDiscovery {
  private own: string | undefined;
  private readonly advertListeners = new Set<(advert: ServerAdvert) => void>();
  private readonly goneListeners = new Set<(serverId: string) => void>();

  constructor(
    private readonly bus: MemoryDiscoveryBus,
    private readonly host: string,
  ) {}

  advertise(advert: ServerAdvert): void {
    this.own = advert.serverId;
    this.bus.announce({ ...advert, host: this.host });
  }

  async stopAdvertising(): Promise<void> {
    if (this.own) this.bus.goodbye(this.own);
    this.own = undefined;
  }

  onAdvert(listener: (advert: ServerAdvert) => void): void {
    this.advertListeners.add(listener);
  }

  onGone(listener: (serverId: string) => void): void {
    this.goneListeners.add(listener);
  }

  refresh(): void {
    for (const advert of this.bus.adverts.values()) setTimeout(() => this.hear(advert), this.bus.delayMs);
  }

  async close(): Promise<void> {
    await this.stopAdvertising();
    this.bus.leave(this);
  }

  /** Vanishes without a goodbye (a host that sleeps or loses power). */
  vanish(): void {
    if (this.own) this.bus.adverts.delete(this.own);
    this.bus.leave(this);
  }

  hear(advert: ServerAdvert): void {
    for (const listener of this.advertListeners) listener(advert);
  }

  gone(serverId: string): void {
    for (const listener of this.goneListeners) listener(serverId);
  }
}
