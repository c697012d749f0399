import { pino } from 'pino';
import { mintAccessToken } from './access-token.js';
import { createClusterMetrics } from './cluster/cluster-metrics.js';
import { REDACT_PATHS } from './logging.js';
import { helpText, parseCli, UsageError } from './options.js';
import { createObservability } from './observability/index.js';
import { type SignalingServer, SignalingServerError, startSignalingServer } from './server.js';
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
    case 'token': {
      const expiresAt = Math.floor((Date.now() + command.ttlMs) / 1000);
      process.stdout.write(`${mintAccessToken(command.secret, command.peerId, expiresAt)}\n`);
      process.stderr.write(`ferry-signal: token for ${command.peerId}, valid until ${new Date(expiresAt * 1000).toISOString()}\n`);
      return 0;
    }
    case 'serve':
      break;
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }

  const logger = pino({
    level: command.logLevel,
    base: { service: 'ferry-signal' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
  let server: SignalingServer | undefined;
  // /metrics and /status: counters fed by the server's hooks, the dashboard's live events.
  const observability = createObservability({
    log: logger,
    connectedPeers: () => server?.stats().peers ?? 0,
    cluster: () => server?.cluster(),
    ...(command.statusToken === undefined ? {} : { token: command.statusToken }),
  });
  // On Redis: cross-node traffic, Redis health and the cluster's size on the same /metrics.
  const clusterEvents = command.server.redis ? createClusterMetrics(observability.registry, () => server?.cluster()) : undefined;
  try {
    server = await startSignalingServer({
      ...command.server,
      logger,
      events: observability.events,
      ...(clusterEvents ? { clusterEvents } : {}),
      routes: (router) => router.use(observability.router),
    });
  } catch (error) {
    observability.close();
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
  observability.close();
  await server.close();
  return 0;
}
