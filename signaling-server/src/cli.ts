import { pino } from 'pino';
import { helpText, parseCli, UsageError } from './options.js';
import { SignalingServerError, startSignalingServer } from './server.js';
import { readServerVersion } from './version.js';

/** `ferry-signal`: exit 0 on a clean shutdown, 1 when it cannot serve, 2 on bad configuration. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let command;
  try {
    command = parseCli(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ferry-signal: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(helpText());
      return 0;
    case 'version':
      process.stdout.write(`${readServerVersion()}\n`);
      return 0;
    case 'serve':
      break;
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }

  const logger = pino({ level: command.logLevel, base: { service: 'ferry-signal' } });
  let server;
  try {
    server = await startSignalingServer({ ...command.server, logger });
  } catch (error) {
    if (error instanceof SignalingServerError) {
      logger.fatal({ code: error.code }, error.message);
      process.stderr.write(`ferry-signal: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal }, 'shutting down');
  const forced = setTimeout(() => {
    logger.error('shutdown took longer than 5 s; exiting anyway');
    process.exit(1);
  }, 5000);
  forced.unref();
  await server.close();
  return 0;
}
