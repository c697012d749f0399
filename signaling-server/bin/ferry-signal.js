#!/usr/bin/env node
// The runnable signaling server. dist/ is built by `npm run build:signal` (also on npm install).
import { main } from '../dist/cli.js';

main(process.argv.slice(2), process.env).then(
  // peer's housekeeping timers never stop on their own; exit once the server has closed.
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`ferry-signal: unexpected failure: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
