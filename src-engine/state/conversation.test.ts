import { describe, expect, it } from 'vitest';
import { newRow, OFFER_TOPS, offerTops } from './conversation.js';

describe('an offer summed up by its top-level entries', () => {
  it('a folder is one line with its files counted and sized (empty folders too); files stand alone', () => {
    const entries = [
      { kind: 'file' as const, path: 'notes.txt', size: 10, mtime: 0 },
      { kind: 'directory' as const, path: 'Photos' },
      { kind: 'file' as const, path: 'Photos/2026/a.jpg', size: 100, mtime: 0 },
      { kind: 'file' as const, path: 'Photos/b.jpg', size: 200, mtime: 0 },
      { kind: 'directory' as const, path: 'Empty' },
    ];
    expect(offerTops(entries)).toEqual([
      { name: 'notes.txt', kind: 'file', fileCount: 1, bytes: 10 },
      { name: 'Photos', kind: 'folder', fileCount: 2, bytes: 300 },
      { name: 'Empty', kind: 'folder', fileCount: 0, bytes: 0 },
    ]);
  });

  it(`a row keeps the first ${OFFER_TOPS} top-level entries, however many the offer has`, () => {
    const entries = Array.from({ length: 505 }, (_, i) => ({ kind: 'file' as const, path: `f${i}.bin`, size: 1, mtime: 0 }));
    const row = newRow('in-1', 'in', entries, '505 files', 505, 505);
    expect(row.tops).toHaveLength(OFFER_TOPS);
    expect(row.files).toHaveLength(50);
  });
});
