import { describe, expect, it } from 'vitest';
import { HISTORY_MAX, type HistoryEntry } from '../contract/device.js';
import { newRow, type TransferRow } from '../state/conversation.js';
import { SnapshotStore } from '../state/snapshot-store.js';
import { TransferHistory } from './transfer-history.js';

const PEER = 'ferry-aaaaaaaaaaaaaaaa';

function row(key: string, patch: Partial<TransferRow>): TransferRow {
  return { ...newRow(key, 'in', [{ kind: 'file', path: 'a.bin', size: 10, mtime: 0 }], 'a.bin', 1, 10), ...patch };
}

function setup() {
  const store = new SnapshotStore();
  const kept: HistoryEntry[][] = [];
  let now = 1000;
  const history = new TransferHistory(store, async (entries) => kept.push(entries), () => now++);
  return { store, kept, history };
}

describe('the transfer history', () => {
  it('keeps ended transfers newest first, in the snapshot and with the host', () => {
    const { store, kept, history } = setup();
    history.record(PEER, 'Laptop', row('in-1', { state: 'done', savedPaths: ['/d/a.bin'] }));
    history.record(PEER, 'Laptop', row('in-2', { state: 'cancelled', error: undefined, endedBy: 'here' }));
    expect(store.get().history.map((e) => [e.id, e.state, e.endedBy])).toEqual([
      [`${PEER}/in-2`, 'cancelled', 'here'],
      [`${PEER}/in-1`, 'done', undefined],
    ]);
    expect(store.get().history[1]).toMatchObject({ peerName: 'Laptop', savedPaths: ['/d/a.bin'], endedAt: 1000 });
    expect(kept.at(-1)).toBe(store.get().history);
  });

  it('ignores a transfer still running, and one ended twice is listed once', () => {
    const { store, history } = setup();
    history.record(PEER, 'Laptop', row('in-1', { state: 'active' }));
    expect(store.get().history).toEqual([]);
    history.record(PEER, 'Laptop', row('in-1', { state: 'failed', error: 'gone' }));
    history.record(PEER, 'Laptop', row('in-1', { state: 'done' }));
    expect(store.get().history.map((e) => e.state)).toEqual(['done']);
  });

  it(`keeps the last ${HISTORY_MAX}; entries can be removed one by one or all at once`, () => {
    const { store, kept, history } = setup();
    for (let i = 0; i < HISTORY_MAX + 20; i++) history.record(PEER, 'Laptop', row(`in-${i}`, { state: 'done' }));
    expect(store.get().history).toHaveLength(HISTORY_MAX);
    expect(store.get().history[0]?.id).toBe(`${PEER}/in-${HISTORY_MAX + 19}`);
    history.remove(`${PEER}/in-${HISTORY_MAX + 19}`);
    expect(store.get().history[0]?.id).toBe(`${PEER}/in-${HISTORY_MAX + 18}`);
    const writes = kept.length;
    history.remove('not-there');
    expect(kept).toHaveLength(writes);
    history.clear();
    expect(store.get().history).toEqual([]);
    expect(kept.at(-1)).toEqual([]);
  });

  it('starts from what the host kept', () => {
    const { store, history } = setup();
    history.load([{ id: 'x/1', peerId: PEER, peerName: 'Laptop', direction: 'out', title: 'a', fileCount: 1, totalBytes: 1, state: 'done', endedBy: undefined, error: undefined, savedPaths: [], endedAt: 1 }]);
    expect(store.get().history.map((e) => e.id)).toEqual(['x/1']);
  });
});
