import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src-engine/index.js';
import { HistoryStore } from './history-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-history-'));
  dirs.push(dir);
  return join(dir, 'transfer-history.json');
}

const ENTRY: HistoryEntry = {
  id: 'ferry-aaaaaaaaaaaaaaaa/in-1',
  peerId: 'ferry-aaaaaaaaaaaaaaaa',
  peerName: 'Laptop',
  direction: 'in',
  title: 'report.pdf',
  fileCount: 1,
  totalBytes: 10,
  state: 'cancelled',
  endedBy: 'there',
  error: 'Laptop cancelled it.',
  savedPaths: [],
  endedAt: 1,
};

describe('the history main keeps for the engine', () => {
  it('comes back after a restart as it was kept', async () => {
    const path = file();
    const store = await HistoryStore.open(path);
    await store.keep([ENTRY, { ...ENTRY, id: 'ferry-aaaaaaaaaaaaaaaa/in-0', state: 'done', endedBy: undefined, error: undefined, savedPaths: ['/d/report.pdf'] }]);
    const again = await HistoryStore.open(path);
    expect(again.entries()).toEqual([ENTRY, { ...ENTRY, id: 'ferry-aaaaaaaaaaaaaaaa/in-0', state: 'done', endedBy: undefined, error: undefined, savedPaths: ['/d/report.pdf'] }]);
  });

  it('a file that is not JSON, or not the schema, starts the history over and says so', async () => {
    for (const body of ['{not json', JSON.stringify({ version: 1, entries: [{ ...ENTRY, peerId: '../../etc' }] })]) {
      const path = file();
      writeFileSync(path, body);
      const warnings: string[] = [];
      const store = await HistoryStore.open(path, (message) => warnings.push(message));
      expect(store.entries()).toEqual([]);
      expect(warnings.join()).toMatch(/transfer history starts over/);
      await store.keep([ENTRY]);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, entries: [{ id: ENTRY.id }] });
    }
  });
});
