import { describe, expect, it } from 'vitest';
import type { Conversation, EngineSnapshot, TransferRow, TransferState } from '../../src-engine/index';
import { transfersInOrder } from './TransfersView';

let seq = 0;
function row(key: string, state: TransferState): TransferRow {
  return { seq: ++seq, key, direction: 'out', title: key, fileCount: 1, totalBytes: 1, bytesDone: 0, state, error: undefined, files: [], savedPaths: [], bytesPerSecond: 0, spaceProblem: undefined, endedBy: undefined, tops: [] };
}

function conversation(peerId: string, transfers: TransferRow[]): Conversation {
  return { peerId, peerName: peerId.toUpperCase(), peerKind: undefined, state: 'open', path: 'direct', keyWords: undefined, error: undefined, lines: [], transfers };
}

describe('the transfers view’s order', () => {
  it('across devices: moving first, then waiting, then paused, then ended ones newest first', () => {
    // Made in the order they appeared, across devices.
    const [aOldDone, aPaused, bActive, aActive, bOffered, bDone, aNewFailed] = [
      row('a-old-done', 'done'),
      row('a-paused', 'paused'),
      row('b-active', 'active'),
      row('a-active', 'active'),
      row('b-offered', 'offered'),
      row('b-done', 'done'),
      row('a-new-failed', 'failed'),
    ] as TransferRow[];
    const snapshot = {
      conversations: [conversation('a', [aOldDone, aPaused, aActive, aNewFailed] as TransferRow[]), conversation('b', [bActive, bOffered, bDone] as TransferRow[])],
    } as unknown as EngineSnapshot;
    expect(transfersInOrder(snapshot).map((p) => `${p.name}:${p.transfer.key}`)).toEqual([
      'B:b-active',
      'A:a-active',
      'B:b-offered',
      'A:a-paused',
      'A:a-new-failed',
      'B:b-done',
      'A:a-old-done',
    ]);
  });
});
