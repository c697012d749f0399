import type { OutgoingRecord } from '../../src-engine/index.js';
import { OutgoingRecordSchema } from '../../src-engine/remote/device-protocol.js';
import { JsonListStore } from './json-list-store.js';

/** At most this many unfinished outgoing transfers are kept (the oldest go first). */
const MAX_RECORDS = 100;

/**
 * The outgoing transfers that have not ended for good, kept by main in a file of its own so a
 * restarted engine offers them again (SPEC.md, "Resume"). Main granted their paths once; it
 * grants them again at the next start, and only them.
 */
export class OutgoingStore {
  private constructor(private readonly store: JsonListStore<OutgoingRecord>) {}

  static async open(file: string, warn: (message: string) => void = () => {}): Promise<OutgoingStore> {
    return new OutgoingStore(await JsonListStore.open(file, { field: 'records', item: OutgoingRecordSchema, max: MAX_RECORDS, lost: 'unfinished outgoing transfers are not resumed' }, warn));
  }

  records(): OutgoingRecord[] {
    return this.store.items();
  }

  keep(record: OutgoingRecord): Promise<void> {
    return this.store.update((list) => [...list.filter((r) => r.resumeKey !== record.resumeKey), record]);
  }

  forget(resumeKey: string): Promise<void> {
    if (!this.store.items().some((r) => r.resumeKey === resumeKey)) return Promise.resolve();
    return this.store.update((list) => list.filter((r) => r.resumeKey !== resumeKey));
  }
}
