import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../../src-core/testing/manual-runtime.js';
import type { IceServerConfig } from '../contract/device.js';
import { IceKeeper, type IceRefresh } from './ice-keeper.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

function keeper(answers: Array<IceRefresh | Error>) {
  const runtime = new ManualRuntime();
  const applied: IceServerConfig[][] = [];
  let fetches = 0;
  const ice = new IceKeeper(
    runtime,
    async () => {
      const answer = answers[Math.min(fetches++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer as IceRefresh;
    },
    (servers) => applied.push(servers),
  );
  return { runtime, ice, applied, fetches: () => fetches };
}

const turn = (n: number): IceServerConfig => ({ urls: 'turn:turn.lab:3478', username: `${n}:ferry-aaaaaaaaaaaaaaaa`, credential: `c${n}` });

describe('keeping TURN credentials fresh in the window', () => {
  it('asks again by itself when they near expiry, so answered connections find valid ones', async () => {
    const { runtime, ice, applied, fetches } = keeper([
      { iceServers: [turn(1)], refreshAt: 1_700_000_000_000 + 600_000 },
      { iceServers: [turn(2)], refreshAt: 1_700_000_000_000 + 1_200_000 },
    ]);
    ice.start();
    await flush();
    expect(applied).toEqual([[turn(1)]]);
    expect(ice.whenFresh()).toBeUndefined();
    runtime.advance(599_000);
    expect(fetches()).toBe(1);
    runtime.advance(1000);
    await flush();
    expect(fetches()).toBe(2);
    expect(applied.at(-1)).toEqual([turn(2)]);
  });

  it('a dial after the timer missed its moment (a sleeping laptop) waits for fresh ones', async () => {
    const { runtime, ice, applied } = keeper([
      { iceServers: [turn(1)], refreshAt: 1_700_000_000_000 + 60_000 },
      { iceServers: [turn(2)], refreshAt: 1_700_000_000_000 + 10_000_000 },
    ]);
    ice.start();
    await flush();
    // The clock jumps without the timer firing first.
    (runtime as unknown as { time: number }).time += 120_000;
    const waiting = ice.whenFresh();
    expect(waiting).toBeInstanceOf(Promise);
    await waiting;
    expect(applied.at(-1)).toEqual([turn(2)]);
    expect(ice.whenFresh()).toBeUndefined();
  });

  it('servers that never expire are fetched once; a failed fetch is retried later, not in a loop', async () => {
    const never = keeper([{ iceServers: [{ urls: 'stun:stun.lab:3478' }], refreshAt: null }]);
    never.ice.start();
    await flush();
    never.runtime.advance(10 * 3_600_000);
    expect(never.fetches()).toBe(1);

    const failing = keeper([new Error('main is busy'), { iceServers: [turn(3)], refreshAt: null }]);
    failing.ice.start();
    await flush();
    expect(failing.ice.whenFresh()).toBeUndefined();
    failing.runtime.advance(30_000);
    await flush();
    expect(failing.fetches()).toBe(2);
    expect(failing.applied).toEqual([[turn(3)]]);
    failing.ice.stop();
  });
});
