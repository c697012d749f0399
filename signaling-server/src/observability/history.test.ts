import { describe, expect, it } from 'vitest';
import { EventHistory } from './history.js';

const ids = (frames: readonly string[] | undefined) => frames?.map((f) => /^id: (\S+)/.exec(f)?.[1]);

describe('event history', () => {
  it('numbers events from 1 and frames each with its id, type and JSON data', () => {
    const history = new EventHistory(10);
    expect(history.lastId).toBe(`${history.epoch}.0`);
    expect(history.append('relay', { total: 3 })).toBe(`id: ${history.epoch}.1\nevent: relay\ndata: {"total":3}\n\n`);
    expect(history.lastSeq).toBe(1);
  });

  it('replays exactly the events after the id the client saw, oldest first', () => {
    const history = new EventHistory(10);
    for (let i = 1; i <= 7; i++) history.append('peers', { i });
    const e = history.epoch;
    expect(ids(history.since(`${e}.4`))).toEqual([`${e}.5`, `${e}.6`, `${e}.7`]);
    expect(history.since(`${e}.7`)).toEqual([]);
    expect(ids(history.since(`${e}.0`))).toHaveLength(7);
  });

  it('wraps around its ring and still replays in order', () => {
    const history = new EventHistory(5);
    for (let i = 1; i <= 23; i++) history.append('peers', { i });
    const e = history.epoch;
    expect(ids(history.since(`${e}.18`))).toEqual([19, 20, 21, 22, 23].map((n) => `${e}.${n}`));
    expect(history.since(`${e}.20`)?.[0]).toContain('data: {"i":21}');
  });

  it('cannot fill a gap older than what it keeps, from another instance, from the future, or a bad id', () => {
    const history = new EventHistory(5);
    for (let i = 1; i <= 23; i++) history.append('peers', { i });
    const e = history.epoch;
    expect(history.since(`${e}.17`)).toBeUndefined();
    expect(history.since(`${e}.24`)).toBeUndefined();
    expect(history.since(`${new EventHistory(5).epoch}.20`)).toBeUndefined();
    for (const bad of [undefined, '', '20', `${e}.`, `${e}.-1`, `${e}.1e3`, `${e}.20 `, 'zzzzzzzz.20']) {
      expect(history.since(bad)).toBeUndefined();
    }
  });

  it('refuses a size that cannot hold anything', () => {
    expect(() => new EventHistory(0)).toThrow(RangeError);
  });
});
