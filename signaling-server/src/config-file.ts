import { readFileSync } from 'node:fs';
import { UsageError } from './config-error.js';
import { OPTION_TABLE, type OptionName } from './option-table.js';

/** Config files hold a few options; anything larger is a mistake (or not ours). */
const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * Reads a --config file: one JSON object whose keys are flag names ("port", "turn-url", ...).
 * Values may be strings, numbers, booleans (yes/no options) or lists of strings (list options);
 * each becomes the text a flag would carry and is then validated like a flag. Unknown keys are
 * errors: a misspelt "alowed-origins" silently ignored would leave a server open.
 */
export function readConfigFile(file: string): Map<OptionName, string> {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_CONFIG_BYTES) {
      throw new UsageError('BAD_VALUE', `--config: "${file}" is larger than ${MAX_CONFIG_BYTES / 1024} KiB; is it the right file?`, 'config');
    }
    text = bytes.toString('utf8');
  } catch (cause) {
    if (cause instanceof UsageError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError('UNREADABLE_FILE', `--config: cannot read "${file}": ${code}.`, 'config', { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new UsageError('BAD_JSON', `--config: "${file}" is not valid JSON: ${(cause as Error).message}.`, 'config', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('BAD_JSON', `--config: "${file}" must hold one JSON object, like {"port": 9000}.`, 'config');
  }
  const values = new Map<OptionName, string>();
  for (const [key, value] of Object.entries(parsed)) {
    const spec = OPTION_TABLE.find((o) => o.flag === key);
    if (spec === undefined || !spec.inFile) {
      const hint = key.startsWith('--') ? ` (write "${key.slice(2)}", without the dashes)` : '';
      throw new UsageError('UNKNOWN_OPTION', `--config: unknown option "${key}" in "${file}"${hint}. The keys are the flag names in ferry-signal --help.`, key);
    }
    values.set(spec.flag, asFlagText(value, key, file));
  }
  return values;
}

function asFlagText(value: unknown, key: string, file: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    if (value.some((v) => v.includes(','))) {
      throw new UsageError('BAD_VALUE', `--${key} (in "${file}"): list items cannot contain commas.`, key);
    }
    return value.join(',');
  }
  throw new UsageError('BAD_VALUE', `--${key} (in "${file}") must be a string, number, boolean or list of strings.`, key);
}
