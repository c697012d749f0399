import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CLI_VERSION } from './version.js';

it('is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(CLI_VERSION).toBe(pkg.version);
});
