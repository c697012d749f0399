import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { OutgoingRecord } from '../../src-engine/index.js';
import { OutgoingRecordSchema } from '../../src-engine/remote/device-protocol.js';
import { writeFileAtomic } from '../settings/atomic-write.js';

/** At most this many unfinished outgoing transfers are kept (the oldest go first). */
const MAX_RECORDS = 100;

const StoredOutgoing = z.strictObject({ version: z.literal(1), records: z.array(OutgoingRecordSchema).max(MAX_RECORDS) });

/**
 * The outgoing transfers that have not ended for good, kept by main in a file of its own so a
 * restarted engine offers them again (SPEC.md, "Resume"). Main granted their paths once; it
 * grants them again at the next start, and only them.
 */
export class OutgoingStore {
  private constructor(
    private readonly file: string,
    private list: OutgoingRecord[],
    private chain: Promise<void> = Promise.resolve(),
  ) {}

  /** Opens the store; a file that cannot be read or fails its schema is started over, with a warning. */
  static async open(file: string, warn: (message: string) => void = () => {}): Promise<OutgoingStore> {
    let records: OutgoingRecord[] = [];
    try {
      const parsed = StoredOutgoing.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) records = parsed.data.records;
      else warn(`${file} does not match its schema: unfinished outgoing transfers are not resumed.`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file} cannot be read (${(error as Error).message}): unfinished outgoing transfers are not resumed.`);
    }
    return new OutgoingStore(file, records);
  }

  records(): OutgoingRecord[] {
    return [...this.list];
  }

  keep(record: OutgoingRecord): Promise<void> {
    this.list = [...this.list.filter((r) => r.resumeKey !== record.resumeKey), record].slice(-MAX_RECORDS);
    return this.save();
  }

  forget(resumeKey: string): Promise<void> {
    if (!this.list.some((r) => r.resumeKey === resumeKey)) return this.chain;
    this.list = this.list.filter((r) => r.resumeKey !== resumeKey);
    return this.save();
  }

  private save(): Promise<void> {
    const snapshot = JSON.stringify({ version: 1, records: this.list });
    this.chain = this.chain.catch(() => {}).then(() => writeFileAtomic(this.file, snapshot));
    return this.chain;
  }
}
