import { describe, expect, it } from 'vitest';
import type { FerrySettings } from '../contract/device.js';
import { MAX_CONVERSATIONS, SnapshotStore } from './snapshot-store.js';

const PEER = 'ferry-aaaaaaaaaaaaaaaa';

describe('the snapshot store', () => {
  it('replaces the snapshot on every change and tells each subscriber until it unsubscribes', () => {
    const store = new SnapshotStore();
    const before = store.get();
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    store.update({ fatalError: 'boom' });
    expect(store.get()).not.toBe(before);
    expect(before.fatalError).toBeUndefined();
    expect(store.get().fatalError).toBe('boom');
    unsubscribe();
    store.update({ nearby: [PEER] });
    expect(calls).toBe(1);
  });

  it('a device’s conversation comes back with its lines and transfers, under our name for it', () => {
    const store = new SnapshotStore();
    store.addConversation(PEER, 'open');
    store.appendLine(PEER, { id: '1', direction: 'in', body: 'hi', at: 0, delivery: 'received' });
    store.patchConversation(PEER, (c) => ({ ...c, peerName: 'Their name', state: 'failed', error: 'gone' }));
    store.update({ settings: { trustedDevices: [{ peerId: PEER, name: 'Laptop', since: 0 }] } as unknown as FerrySettings });
    store.addConversation(PEER, 'connecting');
    expect(store.get().conversations).toHaveLength(1);
    expect(store.conversation(PEER)).toMatchObject({ peerName: 'Laptop', state: 'connecting', error: undefined, lines: [{ body: 'hi' }] });
    expect(store.isTrusted(PEER)).toBe(true);
  });

  it('a peer coming back under new ids again and again cannot grow the conversations past their bound; what matters is kept', () => {
    const store = new SnapshotStore();
    const id = (n: number) => `ferry-${n.toString(32).padStart(16, 'z')}`;
    store.update({ settings: { trustedDevices: [{ peerId: id(0), name: 'Mine', since: 0 }] } as unknown as FerrySettings });
    store.addConversation(id(0), 'failed'); // trusted: kept
    store.addConversation(id(1), 'open'); // connected: kept
    for (let n = 2; n < 500; n++) store.addConversation(id(n), 'failed');
    const ids = store.get().conversations.map((c) => c.peerId);
    expect(ids).toHaveLength(MAX_CONVERSATIONS);
    expect(ids.slice(0, 2)).toEqual([id(0), id(1)]);
    expect(ids.at(-1)).toBe(id(499));
  });

  it('keeps the last 500 lines of a conversation', () => {
    const store = new SnapshotStore();
    store.addConversation(PEER, 'open');
    for (let i = 0; i < 600; i++) store.appendLine(PEER, { id: String(i), direction: 'in', body: `${i}`, at: i, delivery: 'received' });
    const lines = store.conversation(PEER)?.lines ?? [];
    expect(lines).toHaveLength(500);
    expect(lines[0]?.id).toBe('100');
  });
});
