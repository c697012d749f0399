import { backoffDelay, type DeliveryMode, type Runtime, type TimerHandle } from '../../src-core/index.js';
import type { OutgoingFiles } from '../ports/host.js';

/** An interrupted transfer this device can pick up again (SPEC.md, "Resume"). */
export type Resumable = (
  | { direction: 'out'; peerId: string; resumeKey: string; rowKey: string; files: OutgoingFiles; mode: DeliveryMode }
  | { direction: 'in'; peerId: string; resumeKey: string; rowKey: string }
) & {
  /** A person paused it: it waits for someone to resume it, and nobody dials for it. */
  paused?: boolean;
};

/** Resumes are waited for: dial often (a dial is one signaling message when the device is away). */
const REDIAL_BACKOFF = { initialMs: 1_000, maxMs: 5_000, jitter: 0.5 };

/**
 * Interrupted transfers, by device and resume key, and the dialing that brings their devices
 * back: while a device has something to resume, it is dialled in the background with backoff
 * (1 s doubling to 5 s, jittered; at once when signaling comes back) until a link opens or nothing is left to resume.
 */
export class ResumeLedger {
  private readonly byKey = new Map<string, Resumable>();
  private readonly redials = new Map<string, { attempt: number; timer: TimerHandle }>();

  constructor(
    private readonly runtime: Runtime,
    /** Dials the device in the background (no-op while a link is open or opening). */
    private readonly dial: (peerId: string) => void,
  ) {}

  add(resumable: Resumable): void {
    this.byKey.set(keyOf(resumable.peerId, resumable.resumeKey), resumable);
    if (!resumable.paused) this.scheduleRedial(resumable.peerId);
  }

  get(peerId: string, resumeKey: string): Resumable | undefined {
    return this.byKey.get(keyOf(peerId, resumeKey));
  }

  byRow(peerId: string, rowKey: string): Resumable | undefined {
    for (const r of this.byKey.values()) if (r.peerId === peerId && r.rowKey === rowKey) return r;
    return undefined;
  }

  /** Takes it off the ledger (resumed, or discarded). */
  take(peerId: string, resumeKey: string): Resumable | undefined {
    const key = keyOf(peerId, resumeKey);
    const found = this.byKey.get(key);
    this.byKey.delete(key);
    if (!this.of(peerId).length) this.stopRedial(peerId);
    return found;
  }

  of(peerId: string): Resumable[] {
    return [...this.byKey.values()].filter((r) => r.peerId === peerId);
  }

  /** A link with the device opened: the redials stop (it is back). */
  linked(peerId: string): void {
    this.stopRedial(peerId);
  }

  /** The link with the device ended: with something still to resume, dialing starts again. */
  unlinked(peerId: string): void {
    if (this.waiting(peerId).length) this.scheduleRedial(peerId);
  }

  /** What resumes by itself with the device (not paused). */
  waiting(peerId: string): Resumable[] {
    return this.of(peerId).filter((r) => !r.paused);
  }

  /** Signaling is back (the network returned): every device with something to resume is dialled now. */
  redialNow(): void {
    for (const peerId of new Set([...this.byKey.values()].filter((r) => !r.paused).map((r) => r.peerId))) {
      this.stopRedial(peerId);
      this.dial(peerId);
      this.scheduleRedial(peerId);
    }
  }

  close(): void {
    for (const peerId of [...this.redials.keys()]) this.stopRedial(peerId);
  }

  private scheduleRedial(peerId: string): void {
    if (this.redials.has(peerId)) return;
    const next = (attempt: number) => {
      const delay = backoffDelay(attempt, this.runtime.randomBytes(1)[0]! / 256, REDIAL_BACKOFF);
      const timer = this.runtime.setTimer(delay, () => {
        if (!this.redials.has(peerId)) return;
        if (!this.waiting(peerId).length) return this.stopRedial(peerId);
        this.dial(peerId);
        next(attempt + 1);
      });
      this.redials.set(peerId, { attempt, timer });
    };
    next(0);
  }

  private stopRedial(peerId: string): void {
    const redial = this.redials.get(peerId);
    if (redial) this.runtime.clearTimer(redial.timer);
    this.redials.delete(peerId);
  }
}

function keyOf(peerId: string, resumeKey: string): string {
  return `${peerId}/${resumeKey}`;
}
