import { HISTORY_MAX, type HistoryEntry } from '../../src-engine/index.js';
import { fromWire, HistoryEntrySchema } from '../../src-engine/remote/device-protocol.js';
import { JsonListStore } from './json-list-store.js';

/** The history of ended transfers, kept by main for the engine across restarts (newest first). */
export class HistoryStore {
  private constructor(private readonly store: JsonListStore<HistoryEntry>) {}

  static async open(file: string, warn: (message: string) => void = () => {}): Promise<HistoryStore> {
    const item = HistoryEntrySchema.transform(fromWire);
    return new HistoryStore(await JsonListStore.open(file, { field: 'entries', item, max: HISTORY_MAX, lost: 'the transfer history starts over' }, warn));
  }

  entries(): HistoryEntry[] {
    return this.store.items();
  }

  /** The engine's history, whole (it keeps the newest HISTORY_MAX, newest first). */
  keep(entries: HistoryEntry[]): Promise<void> {
    return this.store.update(() => entries.slice(0, HISTORY_MAX));
  }
}
