import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMON_HELP, UsageError } from './usage.js';

export type CommandName = 'send' | 'receive' | 'pair' | 'devices' | 'listen';

/** Options every command takes. */
export interface CommonOptions {
  signal: string | undefined;
  token: string | undefined;
  configDir: string | undefined;
  json: boolean;
  quiet: boolean;
}

export type ParsedCommand =
  | { command: 'help'; topic: CommandName | undefined }
  | { command: 'version' }
  | { command: 'send'; paths: string[]; to: string | undefined; common: CommonOptions }
  | { command: 'receive'; code: string | undefined; dir: string | undefined; common: CommonOptions }
  | { command: 'pair'; code: string | undefined; common: CommonOptions }
  | { command: 'devices'; waitMs: number; common: CommonOptions }
  | { command: 'listen'; accept: AcceptPolicy; dir: string | undefined; common: CommonOptions };

/** Which offers `ferry listen` takes: every paired device's, or each one asked about at the terminal. */
export type AcceptPolicy = 'paired' | 'ask';

const COMMON_OPTIONS = {
  signal: { type: 'string' },
  token: { type: 'string' },
  'config-dir': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const COMMAND_HELP: Record<CommandName, string> = {
  send: `Usage: ferry send <file or folder>...
       ferry send --to <paired device> <file or folder>...

Without --to, prints a one-time code (like 427-orbit-velvet) and waits: whoever runs
\`ferry receive <code>\` (or types it in Ferry) gets the files. The code works once, for 10 minutes.
With --to, sends to a device paired with this one (its name or id) without a code.

  --to DEVICE         a paired device's name or id`,
  receive: `Usage: ferry receive [code] [--dir DIR]

Receives what the other device sends with that code (asked for when not given).

  --dir DIR           where the files go (default: the current folder)`,
  pair: `Usage: ferry pair [code]

Without a code, shows one for the other device to type; with a code, pairs with the device
showing it. Paired devices know each other by key: sending needs no code, and an interrupted
transfer resumes. Compare the words both sides print.`,
  devices: `Usage: ferry devices [--wait SECONDS]

Lists the devices paired with this one (online or not) and Ferry devices nearby.

  --wait SECONDS      how long to look before listing (default: 3)`,
  listen: `Usage: ferry listen [--accept paired|ask] [--dir DIR]

Stays online and receives from paired devices until Ctrl-C.

  --accept paired     take every paired device's offers; refuse the others (default)
  --accept ask        ask at the terminal for each offer
  --dir DIR           where the files go (default: the current folder)`,
};

export const MAIN_HELP = `Ferry sends files straight from one computer to another.

Usage: ferry <command> [options]

Commands:
  send <files...>     send with a one-time code (or --to a paired device)
  receive [code]      receive with a code
  pair [code]         pair with another device
  devices             paired and nearby devices
  listen              receive from paired devices until Ctrl-C

Run \`ferry <command> --help\` for a command's options.

${COMMON_HELP}`;

const COMMANDS = Object.keys(COMMAND_HELP) as CommandName[];

function isCommand(word: string | undefined): word is CommandName {
  return word !== undefined && (COMMANDS as string[]).includes(word);
}

/** Reads a command line (without `node` and the script); throws UsageError in words. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    return { command: 'help', topic: isCommand(rest[0]) ? rest[0] : undefined };
  }
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (!isCommand(first)) throw new UsageError(`"${first}" is not a ferry command.`);
  const extra = {
    send: { to: { type: 'string' } },
    receive: { dir: { type: 'string' } },
    pair: {},
    devices: { wait: { type: 'string' } },
    listen: { accept: { type: 'string' }, dir: { type: 'string' } },
  } as const;
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: { ...COMMON_OPTIONS, ...extra[first] }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, '.'));
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', topic: first };
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const common: CommonOptions = { signal: text('signal'), token: text('token'), configDir: text('config-dir'), json: values.json === true, quiet: values.quiet === true };
  const atMost = (count: number) => {
    if (positionals.length > count) throw new UsageError(`Too many arguments: ${positionals.slice(count).join(' ')}`);
  };
  switch (first) {
    case 'send':
      if (positionals.length === 0) throw new UsageError('Name at least one file or folder to send.');
      return { command: 'send', paths: positionals, to: text('to'), common };
    case 'receive':
      atMost(1);
      return { command: 'receive', code: positionals[0], dir: text('dir'), common };
    case 'pair':
      atMost(1);
      return { command: 'pair', code: positionals[0], common };
    case 'devices': {
      atMost(0);
      const wait = Number(text('wait') ?? '3');
      if (!Number.isFinite(wait) || wait < 0 || wait > 600) throw new UsageError('--wait takes a number of seconds from 0 to 600.');
      return { command: 'devices', waitMs: wait * 1000, common };
    }
    case 'listen': {
      atMost(0);
      const accept = text('accept') ?? 'paired';
      if (accept !== 'paired' && accept !== 'ask') throw new UsageError('--accept takes "paired" or "ask".');
      return { command: 'listen', accept, dir: text('dir'), common };
    }
    default: {
      const unreachable: never = first;
      return unreachable;
    }
  }
}
