#!/usr/bin/env node
// `ferry`, the command line peer. out/cli/ is built by `npm run build:cli` (also on npm install).
import { existsSync } from 'node:fs';

const built = new URL('../out/cli/ferry.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('ferry: not built yet. Run `npm run build:cli` in the Ferry checkout first.\n');
  process.exit(1);
}
await import(built.href);
