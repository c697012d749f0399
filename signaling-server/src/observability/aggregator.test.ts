import { describe, expect, it } from 'vitest';
import { StatusAggregator } from './aggregator.js';
import { refusalReasonIndex, relayedTypeIndex } from './labels.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('status aggregator', () => {
  it('publishes nothing for a quiet interval', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now });
    c.advance(1000);
    expect(agg.flush()).toEqual([]);
  });

  it('folds an interval into one peers, one refusals and one relay event, in that order', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now });
    agg.registered('a');
    agg.registered('b');
    agg.reconnected('a');
    agg.left('b');
    for (let i = 0; i < 1000; i++) agg.relayed(relayedTypeIndex(i % 2 ? 'OFFER' : 'CANDIDATE'));
    agg.refused(refusalReasonIndex('origin-not-allowed'));
    agg.refused(refusalReasonIndex('made-up'));
    c.advance(500);
    expect(agg.flush()).toEqual([
      { type: 'peers', data: { t: c.now(), peers: 1, registered: 2, reconnected: 1, left: 1 } },
      { type: 'refusals', data: { t: c.now(), counts: { 'origin-not-allowed': 1, other: 1 }, total: 2 } },
      { type: 'relay', data: { t: c.now(), counts: { offer: 500, candidate: 500 }, total: 1000, perSecond: 2000 } },
    ]);
    c.advance(1000);
    expect(agg.flush()).toEqual([]);
  });

  it('keeps unpublished counts out of the snapshot, so snapshot + later events count each once', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now });
    agg.registered('a');
    agg.relayed(relayedTypeIndex('OFFER'));
    agg.flush();
    agg.registered('b');
    agg.relayed(relayedTypeIndex('ANSWER'));
    agg.refused(refusalReasonIndex('token-invalid'));
    const snapshot = agg.snapshot();
    expect(snapshot).toMatchObject({ peers: 1, registrations: 1, relayed: { offer: 1 }, refusals: {} });
    agg.flush();
    expect(agg.snapshot()).toMatchObject({
      peers: 2,
      registrations: 2,
      relayed: { offer: 1, answer: 1 },
      refusals: { 'token-invalid': 1 },
    });
  });

  it('lists hashed ids, bounded per event, and never the ids themselves', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now, hashPeerId: (id) => `h(${id.length})`, maxIdsPerEvent: 3 });
    for (let i = 0; i < 5; i++) agg.registered(`ferry-secret-${i}`);
    agg.left('ferry-secret-0');
    const [peers] = agg.flush();
    expect(peers).toEqual({
      type: 'peers',
      data: expect.objectContaining({
        registered: 5,
        left: 1,
        ids: { registered: ['h(14)', 'h(14)', 'h(14)'], reconnected: [], left: ['h(14)'] },
        idsOmitted: 2,
      }),
    });
    expect(JSON.stringify(peers)).not.toContain('secret');
    expect(agg.snapshot().showsPeerIds).toBe(true);
  });

  it('reports the server’s own peer count when given one, even with no events', () => {
    const c = clock();
    let n = 0;
    const agg = new StatusAggregator({ now: c.now, connectedPeers: () => n });
    n = 4;
    c.advance(1000);
    expect(agg.flush()).toEqual([
      { type: 'peers', data: { t: c.now(), peers: 4, registered: 0, reconnected: 0, left: 0 } },
    ]);
  });

  it('keeps a bounded peer-count series for the chart', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now, seriesSize: 3 });
    for (let i = 0; i < 5; i++) {
      agg.registered(`p${i}`);
      c.advance(1000);
      agg.flush();
    }
    expect(agg.snapshot().peerSeries).toEqual([
      [c.now() - 2000, 3],
      [c.now() - 1000, 4],
      [c.now(), 5],
    ]);
  });

  it('resets the relay rate to 0 after a quiet interval', () => {
    const c = clock();
    const agg = new StatusAggregator({ now: c.now });
    agg.relayed(0);
    c.advance(1000);
    agg.flush();
    expect(agg.snapshot().relayPerSecond).toBe(1);
    c.advance(1000);
    agg.flush();
    expect(agg.snapshot().relayPerSecond).toBe(0);
  });
});
