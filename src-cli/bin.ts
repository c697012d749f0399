/*
 * `ferry`: the entry the package's bin runs (bin/ferry.js, built into out/cli/ferry.js).
 */
import { logInsteadOfCrashing } from '../src-node/engine-host/uncaught.js';
import { runCli } from './run.js';
import { EXIT } from './usage.js';
import { CLI_VERSION } from './version.js';

const interrupt = new AbortController();
let interrupted = false;
const onSignal = () => {
  // The first Ctrl-C cancels cleanly (both sides hear it, nothing partial stays); a second one quits now.
  if (interrupted) process.exit(EXIT.interrupted);
  interrupted = true;
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
logInsteadOfCrashing((message) => process.stderr.write(`ferry: ${message}\n`));

const code = await runCli({ argv: process.argv.slice(2), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, interrupt: interrupt.signal, version: CLI_VERSION }).catch((error: unknown) => {
  // Only a failure while cleaning up gets here (runCli says every other one in words).
  process.stderr.write(`ferry: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failed;
});
// Sockets and native threads may linger a moment after stop: the command is over, the process is too.
process.exitCode = code;
setTimeout(() => process.exit(code), 200).unref();
