import { backoffDelay, type BackoffPolicy, type Runtime, type TimerHandle } from '../../src-core/index.js';

/** Whether a paired device can be reached now, as the window shows it. */
export type Presence =
  | { kind: 'online' }
  | { kind: 'checking' }
  | { kind: 'offline'; nextCheckAt: number | undefined }
  | { kind: 'unpaired-there'; message: string };

/** Dialling an offline device: 3 s, doubling to a minute, jittered (SPEC.md, "Presence"). */
export const PRESENCE_BACKOFF: BackoffPolicy = { initialMs: 3000, maxMs: 60_000, jitter: 0.5 };

export interface PresenceDeps {
  runtime: Runtime;
  /** Opens a connection to the device in the background (no conversation until it opens). */
  dial(peerId: string): void;
  changed(presence: ReadonlyMap<string, Presence>): void;
  policy?: BackoffPolicy;
}

interface Tracked {
  presence: Presence;
  /** Failed attempts since the device was last reachable (drives the backoff). */
  attempts: number;
  timer: TimerHandle | undefined;
}

/**
 * Finds paired devices through the signaling server by dialling them: the server answers at
 * once for a device that is registered, and says it is unavailable otherwise. Offline devices
 * are tried again with backoff; the attempts start over when signaling comes back or the device
 * appears nearby. Pure bookkeeping over `dial`: the store reports what its links do.
 */
export class PresenceTracker {
  private readonly devices = new Map<string, Tracked>();
  private signalingUp = false;
  /** The LAN server's list last time: only a device that newly appears resets its backoff. */
  private lastNearby = new Set<string>();

  constructor(private readonly deps: PresenceDeps) {}

  /** The paired devices now (from settings); new ones are tried at once, removed ones dropped. */
  setPaired(peerIds: readonly string[]): void {
    const wanted = new Set(peerIds);
    let changed = false;
    for (const [peerId, tracked] of this.devices) {
      if (wanted.has(peerId)) continue;
      this.clear(tracked);
      this.devices.delete(peerId);
      changed = true;
    }
    for (const peerId of wanted) {
      if (this.devices.has(peerId)) continue;
      this.devices.set(peerId, { presence: { kind: 'offline', nextCheckAt: undefined }, attempts: 0, timer: undefined });
      changed = true;
      this.check(peerId);
    }
    if (changed) this.emit();
  }

  signaling(connected: boolean): void {
    if (connected === this.signalingUp) return;
    this.signalingUp = connected;
    for (const [peerId, tracked] of this.devices) {
      if (connected) {
        // A (re)connected server may now know devices it did not: start over.
        tracked.attempts = 0;
        if (tracked.presence.kind === 'offline') this.check(peerId);
      } else if (tracked.presence.kind !== 'online' && tracked.presence.kind !== 'unpaired-there') {
        this.clear(tracked);
        tracked.presence = { kind: 'offline', nextCheckAt: undefined };
      }
    }
    this.emit();
  }

  /** Devices the LAN server lists: a paired one that just appeared there is tried now. */
  nearby(peerIds: readonly string[]): void {
    const previous = this.lastNearby;
    this.lastNearby = new Set(peerIds);
    for (const peerId of peerIds) {
      if (previous.has(peerId)) continue;
      const tracked = this.devices.get(peerId);
      if (tracked?.presence.kind === 'offline') {
        tracked.attempts = 0;
        this.check(peerId);
      }
    }
  }

  /** "Try now" (also after a device was unpaired there and paired again). */
  checkNow(peerId: string): void {
    const tracked = this.devices.get(peerId);
    if (!tracked || tracked.presence.kind === 'online' || tracked.presence.kind === 'checking') return;
    tracked.attempts = 0;
    this.check(peerId);
  }

  /** A connection with the device is open and authenticated (whoever dialled). */
  linkOpened(peerId: string): void {
    const tracked = this.devices.get(peerId);
    if (!tracked) return;
    this.clear(tracked);
    tracked.attempts = 0;
    tracked.presence = { kind: 'online' };
    this.emit();
  }

  /** A connection with the device is being made (ours, or theirs arriving). */
  linkConnecting(peerId: string): void {
    const tracked = this.devices.get(peerId);
    if (!tracked || tracked.presence.kind === 'online') return;
    this.clear(tracked);
    tracked.presence = { kind: 'checking' };
    this.emit();
  }

  /**
   * A connection with the device ended or never opened. `unpaired`: the device refused us
   * because it unpaired this one — dialling again would only be refused again.
   */
  linkEnded(peerId: string, outcome: { unpairedThere?: string } = {}): void {
    const tracked = this.devices.get(peerId);
    if (!tracked) return;
    this.clear(tracked);
    if (outcome.unpairedThere !== undefined) {
      tracked.presence = { kind: 'unpaired-there', message: outcome.unpairedThere };
      this.emit();
      return;
    }
    if (tracked.presence.kind === 'online') tracked.attempts = 0;
    this.scheduleRetry(peerId, tracked);
    this.emit();
  }

  stop(): void {
    for (const tracked of this.devices.values()) this.clear(tracked);
    this.devices.clear();
  }

  snapshot(): ReadonlyMap<string, Presence> {
    return new Map([...this.devices].map(([id, t]) => [id, t.presence]));
  }

  private check(peerId: string): void {
    const tracked = this.devices.get(peerId);
    if (!tracked) return;
    this.clear(tracked);
    if (!this.signalingUp) {
      tracked.presence = { kind: 'offline', nextCheckAt: undefined };
      return;
    }
    tracked.presence = { kind: 'checking' };
    this.emit();
    try {
      this.deps.dial(peerId);
    } catch {
      // Signaling went away between the check and the dial: try again later, never get stuck.
      this.linkEnded(peerId);
    }
  }

  private scheduleRetry(peerId: string, tracked: Tracked): void {
    if (!this.signalingUp) {
      tracked.presence = { kind: 'offline', nextCheckAt: undefined };
      return;
    }
    const random = (this.deps.runtime.randomBytes(1)[0] ?? 0) / 256;
    const delay = backoffDelay(tracked.attempts, random, this.deps.policy ?? PRESENCE_BACKOFF);
    tracked.attempts++;
    tracked.presence = { kind: 'offline', nextCheckAt: this.deps.runtime.now() + delay };
    tracked.timer = this.deps.runtime.setTimer(delay, () => {
      tracked.timer = undefined;
      this.check(peerId);
    });
  }

  private clear(tracked: Tracked): void {
    if (tracked.timer !== undefined) this.deps.runtime.clearTimer(tracked.timer);
    tracked.timer = undefined;
  }

  private emit(): void {
    this.deps.changed(this.snapshot());
  }
}
