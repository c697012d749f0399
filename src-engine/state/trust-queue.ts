import type { FerrySettings } from '../contract/device.js';

type TrustedDevices = FerrySettings['trustedDevices'];

/** A change to the trusted devices: the new list, or undefined for "nothing to change". */
export type TrustChange = (devices: TrustedDevices) => TrustedDevices | undefined;

/** Main's message per settings field it refused. */
export type FieldErrors = Record<string, string>;

export interface TrustQueueDeps {
  /** The trusted devices in the settings as they are now (undefined before the engine starts). */
  devices: () => TrustedDevices | undefined;
  /** Saves the list; resolves once the settings read back hold it, or with main's refusal. */
  save: (devices: TrustedDevices) => Promise<FieldErrors | undefined>;
}

/**
 * Changes to the trusted devices (pairing, unpairing, renaming, "always accept"), one at a time,
 * each computed from the settings as they are when it runs: two quick changes never undo each
 * other, and one that fails does not hold up the next.
 */
export class TrustQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: TrustQueueDeps) {}

  change(change: TrustChange): Promise<FieldErrors | undefined> {
    const run = this.tail.then(async () => {
      const devices = this.deps.devices();
      const next = devices ? change(devices) : undefined;
      return next ? this.deps.save(next) : undefined;
    });
    this.tail = run.catch(() => {});
    return run;
  }
}
