import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../settings/atomic-write.js';

/**
 * A list main keeps for the engine in a file of its own (`{ version: 1, [field]: [...] }`), written whole
 * and atomically on every change, one write after another. A file that cannot be read or fails
 * its schema starts the list over, with a warning saying what is lost.
 */
export class JsonListStore<T> {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private list: T[],
    private readonly max: number,
    private readonly field: string,
  ) {}

  /** `lost` says in words what a bad file costs ("interrupted outgoing transfers are not resumed"). */
  static async open<T>(
    file: string,
    shape: { field: string; item: z.ZodType<T>; max: number; lost: string },
    warn: (message: string) => void = () => {},
  ): Promise<JsonListStore<T>> {
    const { field, item, max, lost } = shape;
    const stored = z.strictObject({ version: z.literal(1), [field]: z.array(item).max(max) });
    let items: T[] = [];
    try {
      const parsed = stored.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) items = parsed.data[field] as T[];
      else warn(`${file} does not match its schema: ${lost}.`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file} cannot be read (${(error as Error).message}): ${lost}.`);
    }
    return new JsonListStore(file, items, max, field);
  }

  items(): T[] {
    return [...this.list];
  }

  /** Replaces the list with what `change` makes of it (the newest `max` kept) and saves it. */
  update(change: (items: readonly T[]) => T[]): Promise<void> {
    this.list = change(this.list).slice(-this.max);
    const snapshot = JSON.stringify({ version: 1, [this.field]: this.list });
    this.chain = this.chain.catch(() => {}).then(() => writeFileAtomic(this.file, snapshot));
    return this.chain;
  }
}
