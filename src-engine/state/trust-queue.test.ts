import { describe, expect, it } from 'vitest';
import type { FerrySettings } from '../contract/device.js';
import { TrustQueue } from './trust-queue.js';

type Devices = FerrySettings['trustedDevices'];

/** Main as the queue meets it: saving takes a while, and the settings change only once it is done. */
function settings(initial: Devices | undefined) {
  let current = initial;
  const saved: Devices[] = [];
  let refuse: string | undefined;
  const queue = new TrustQueue({
    devices: () => current,
    save: async (devices) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (refuse) return { trustedDevices: refuse };
      saved.push(devices);
      current = devices;
      return undefined;
    },
  });
  return { queue, saved, current: () => current, refuseNext: (message: string | undefined) => (refuse = message) };
}

const device = (peerId: string, name = peerId) => ({ peerId, name, since: 0 });

describe('trusted-device changes', () => {
  it('run one at a time, each on the list the one before it saved: quick changes never undo each other', async () => {
    const { queue, saved, current } = settings([]);
    await Promise.all([
      queue.change((devices) => [...devices, device('ferry-aaaa')]),
      queue.change((devices) => [...devices, device('ferry-bbbb')]),
      queue.change((devices) => devices.map((d) => (d.peerId === 'ferry-aaaa' ? { ...d, name: 'Laptop' } : d))),
    ]);
    expect(saved).toHaveLength(3);
    expect(current()).toEqual([device('ferry-aaaa', 'Laptop'), device('ferry-bbbb')]);
  });

  it('answers main’s refusal to the change that caused it, and the next change still runs', async () => {
    const { queue, current, refuseNext } = settings([device('ferry-aaaa')]);
    refuseNext('Too many devices.');
    const refused = queue.change((devices) => [...devices, device('ferry-bbbb')]);
    const next = queue.change((devices) => {
      refuseNext(undefined);
      return devices.filter((d) => d.peerId !== 'ferry-aaaa');
    });
    expect(await refused).toEqual({ trustedDevices: 'Too many devices.' });
    expect(await next).toBeUndefined();
    expect(current()).toEqual([]);
  });

  it('a change that throws rejects its caller only; nothing is saved for "no change" or before settings exist', async () => {
    const { queue, saved } = settings([device('ferry-aaaa')]);
    const failing = queue.change(() => {
      throw new Error('bad name');
    });
    const nothing = queue.change(() => undefined);
    await expect(failing).rejects.toThrow('bad name');
    expect(await nothing).toBeUndefined();
    expect(await queue.change((devices) => [...devices, device('ferry-bbbb')])).toBeUndefined();
    expect(saved).toEqual([[device('ferry-aaaa'), device('ferry-bbbb')]]);

    const early = settings(undefined);
    expect(await early.queue.change(() => [device('ferry-cccc')])).toBeUndefined();
    expect(early.saved).toEqual([]);
  });
});
