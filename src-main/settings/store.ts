import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FerrySettings, SettingsUpdate } from '../preload/api.js';
import { writeFileAtomic } from './atomic-write.js';
import { defaultSettings, fieldErrors, migrate, SettingsPatchSchema, SettingsSchema } from './schema.js';

export interface SettingsStoreOptions {
  /** The settings file (JSON), e.g. <userData>/settings.json. */
  file: string;
  /** The device name to start with: the computer's name. */
  defaultDeviceName: string;
  warn?: (message: string) => void;
  now?: () => number;
}

/**
 * The settings, persisted by main: validated against one schema on the way in and on the way
 * out, versioned, written atomically and one write at a time. A file that cannot be read is
 * kept aside (never silently lost) and Ferry starts from defaults; a file from a newer Ferry is
 * left untouched and its settings are used read-only as defaults.
 */
export class SettingsStore {
  private current: FerrySettings;
  private writing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(settings: FerrySettings, previous: FerrySettings) => void>();

  private constructor(
    private readonly options: SettingsStoreOptions,
    initial: FerrySettings,
    private readonly readOnly: boolean,
  ) {
    this.current = initial;
  }

  static async open(options: SettingsStoreOptions): Promise<SettingsStore> {
    const defaults = defaultSettings(options.defaultDeviceName);
    const warn = options.warn ?? (() => {});
    let text: string;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`Could not read the settings (${(error as Error).message}); using defaults.`);
      return new SettingsStore(options, defaults, false);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return SettingsStore.setAside(options, defaults, 'it is not valid JSON');
    }
    const migrated = migrate(raw);
    if ('newer' in migrated) {
      warn(`The settings were written by a newer Ferry (version ${migrated.newer}); using defaults without changing them.`);
      return new SettingsStore(options, defaults, true);
    }
    // Fields that fail on their own fall back to their defaults; the rest is kept.
    const parsed = SettingsSchema.safeParse(migrated.settings);
    if (parsed.success) return new SettingsStore(options, parsed.data, false);
    const salvaged = salvage(migrated.settings, defaults);
    if (salvaged) {
      warn(`Some settings were invalid and were reset: ${Object.keys(fieldErrors(parsed.error)).join(', ')}.`);
      const store = await SettingsStore.setAside(options, salvaged, 'some fields were invalid');
      return store;
    }
    return SettingsStore.setAside(options, defaults, 'it does not match the settings format');
  }

  /** Moves an unusable file aside as settings.json.bad-<time> and starts from `start`. */
  private static async setAside(options: SettingsStoreOptions, start: FerrySettings, why: string): Promise<SettingsStore> {
    const aside = `${options.file}.bad-${(options.now ?? Date.now)()}`;
    await rename(options.file, aside).catch(() => {});
    options.warn?.(`The settings file could not be used (${why}); it was kept as ${aside}.`);
    const store = new SettingsStore(options, start, false);
    await store.persist();
    return store;
  }

  get(): FerrySettings {
    return this.current;
  }

  onChange(listener: (settings: FerrySettings, previous: FerrySettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a partial change: all of it or, with the reasons per field, none of it. */
  async update(patch: unknown): Promise<SettingsUpdate> {
    const checkedPatch = SettingsPatchSchema.safeParse(patch);
    if (!checkedPatch.success) return { ok: false, fieldErrors: fieldErrors(checkedPatch.error) };
    const next = SettingsSchema.safeParse({ ...this.current, ...checkedPatch.data });
    if (!next.success) return { ok: false, fieldErrors: fieldErrors(next.error) };
    if (this.readOnly) return { ok: false, fieldErrors: { settings: 'These settings belong to a newer version of Ferry and cannot be changed here.' } };
    const previous = this.current;
    this.current = next.data;
    await this.persist();
    for (const listener of this.listeners) listener(this.current, previous);
    return { ok: true, settings: this.current };
  }

  /** Settles once every change so far is on disk (a process about to exit waits for it). */
  flushed(): Promise<void> {
    return this.writing.catch(() => {});
  }

  /** Writes the current settings; writes never overlap, and the last one wins. */
  private persist(): Promise<void> {
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        await mkdir(dirname(this.options.file), { recursive: true });
        await writeFileAtomic(this.options.file, snapshot);
      });
    return this.writing;
  }
}

/** The valid fields of a partly broken file over the defaults, or undefined if nothing is usable. */
function salvage(raw: unknown, defaults: FerrySettings): FerrySettings | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const result: Record<string, unknown> = { ...defaults };
  let kept = 0;
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'version' || !(key in defaults)) continue;
    const candidate = SettingsSchema.safeParse({ ...defaults, [key]: value });
    if (candidate.success) {
      result[key] = value;
      kept++;
    }
  }
  return kept > 0 ? (SettingsSchema.parse(result) as FerrySettings) : undefined;
}
