import { createInterface } from 'node:readline/promises';
import { FerryError } from '../src-core/index.js';
import { COMMAND_HELP, MAIN_HELP, parseCommandLine, type ParsedCommand } from './args.js';
import { type CliDevice, openCliDevice } from './cli-device.js';
import { devices } from './commands/devices.js';
import { listen } from './commands/listen.js';
import { pair } from './commands/pair.js';
import { receive } from './commands/receive.js';
import { send } from './commands/send.js';
import { Interrupted } from './follow.js';
import { Output } from './output/output.js';
import { CliFailure, COMMON_HELP, EXIT, type ExitCode, UsageError } from './usage.js';

export interface CliIo {
  argv: readonly string[];
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C (the first one; a second one ends the process at once, see bin). */
  interrupt: AbortSignal;
  version: string;
}

/** Runs one command line; resolves with the exit code. Every failure is said in words, never as a stack. */
export async function runCli(io: CliIo): Promise<ExitCode> {
  let parsed: ParsedCommand;
  try {
    parsed = parseCommandLine(io.argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`ferry: ${error.message}\nRun \`ferry --help\` for the commands and their options.\n`);
    return EXIT.usage;
  }
  if (parsed.command === 'help') {
    io.stdout.write(`${parsed.topic ? `${COMMAND_HELP[parsed.topic]}\n\n${COMMON_HELP}` : MAIN_HELP}\n`);
    return EXIT.done;
  }
  if (parsed.command === 'version') {
    io.stdout.write(`ferry ${io.version}\n`);
    return EXIT.done;
  }
  const output = Output.choose(parsed.common, io);
  let code: string | undefined;
  if (parsed.command === 'receive') {
    code = parsed.code ?? (await askForCode(io));
    if (io.interrupt.aborted) return EXIT.interrupted;
    if (code === undefined) {
      io.stderr.write('ferry: Give the code: ferry receive <code>\n');
      return EXIT.usage;
    }
  }
  const dir = parsed.command === 'receive' || parsed.command === 'listen' ? parsed.dir : undefined;
  let device: CliDevice | undefined;
  try {
    device = await openCliDevice({ ...parsed.common, downloadDir: dir, log: (message) => output.status(message), autoAcceptPaired: !(parsed.command === 'listen' && parsed.accept === 'ask') });
    await runCommand(parsed, device, output, io, code);
    return EXIT.done;
  } catch (error) {
    if (error instanceof Interrupted) {
      output.error('Cancelled.', 'INTERRUPTED');
      return EXIT.interrupted;
    }
    const { message, code: errorCode } = describeFailure(error);
    output.error(message, errorCode);
    return EXIT.failed;
  } finally {
    output.close();
    await device?.linger();
    await device?.stop();
  }
}

async function runCommand(parsed: Exclude<ParsedCommand, { command: 'help' | 'version' }>, device: CliDevice, output: Output, io: CliIo, code: string | undefined): Promise<void> {
  switch (parsed.command) {
    case 'send':
      return send(device, output, parsed.paths, parsed.to, io.interrupt);
    case 'receive':
      return receive(device, output, code ?? '', io.interrupt);
    case 'pair':
      return pair(device, output, parsed.code, io.interrupt);
    case 'devices':
      return devices(device, output, parsed.waitMs, io.interrupt);
    case 'listen':
      return listen(device, output, parsed.accept, (question) => askYesNo(io, question), io.interrupt);
    default: {
      const unreachable: never = parsed;
      return unreachable;
    }
  }
}

function describeFailure(error: unknown): { message: string; code: string } {
  if (error instanceof CliFailure) return { message: error.message, code: error.code };
  if (error instanceof FerryError) return { message: error.message, code: error.code };
  return { message: error instanceof Error ? error.message : String(error), code: 'FAILED' };
}

/** The code, asked for at a terminal; undefined when nobody can type it. */
async function askForCode(io: CliIo): Promise<string | undefined> {
  if (!io.stdin.isTTY) return undefined;
  const answer = await question(io, 'Code: ');
  return answer?.trim() || undefined;
}

async function askYesNo(io: CliIo, text: string): Promise<boolean> {
  if (!io.stdin.isTTY) return false;
  const answer = await question(io, text);
  return /^y(es)?$/i.test(answer?.trim() ?? '');
}

async function question(io: CliIo, text: string): Promise<string | undefined> {
  // After Ctrl-C nothing is asked (listen may have offers queued): no prompt, no raw terminal.
  if (io.interrupt.aborted) return undefined;
  const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  // While it asks, the terminal is raw and Ctrl-C reaches readline, not the process: pass it on.
  lines.on('SIGINT', () => process.emit('SIGINT'));
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => (onAbort = () => resolve(undefined)));
  io.interrupt.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([lines.question(text), aborted]);
  } finally {
    io.interrupt.removeEventListener('abort', onAbort);
    lines.close();
  }
}
