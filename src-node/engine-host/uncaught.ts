/**
 * The engine's code was written for event loops that log an exception thrown in a listener and
 * carry on (a browser's); in Node one ends the process, and every transfer with it. The engine's
 * process keeps to the browser's rule: such an exception is logged, loudly, and nothing else
 * stops. A promise nobody handled is logged the same way.
 */
export function logInsteadOfCrashing(log: (message: string) => void): void {
  process.on('uncaughtException', (error) => log(`ferry-engine: uncaught exception: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (reason) => log(`ferry-engine: unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
}
