import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Electronegativity (Doyensec's Electron security scanner) over what ships in the desktop shell:
 * main, the preload and the renderer. Every finding, of any severity, is either fixed or carries
 * its reason in the code on the line it points at (`// eng-disable CHECK_ID — why`), so this test
 * fails on anything new.
 *
 * The scanner reaches for the network (translations, Electron's release list): it runs in a
 * network namespace of its own with nothing in it (`unshare --net`, gone when it exits), so not
 * one packet leaves, and it falls back to its bundled English and skips the release check (the
 * Electron version is pinned in package.json and updated deliberately).
 */
const root = new URL('..', import.meta.url).pathname;
const scanner = createRequire(import.meta.url).resolve('@doyensec/electronegativity/dist/index.js');
const electronVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron ?? '';
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'ferry-scan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Finding {
  ruleId: string;
  file: string;
  line: number | undefined;
  message: string;
}

/** Copies `folders` (without tests and test support, which do not ship) and scans the copy. */
async function scan(name: string, folders: Record<string, string>): Promise<Finding[]> {
  const input = join(work, name);
  for (const [from, to] of Object.entries(folders)) {
    cpSync(from, join(input, to), { recursive: true, filter: (path) => !/\.test\.tsx?$|\/testing(\/|$)/.test(path) });
  }
  writeFileSync(join(input, 'package.json'), JSON.stringify({ name, devDependencies: { electron: electronVersion } }));
  const output = join(work, `${name}.sarif`);
  // A user namespace too, so it needs no root (a laptop); as root it maps root to itself.
  await run('unshare', ['--net', '--map-root-user', process.execPath, scanner, '-i', input, '-o', output, '-r', '-e', electronVersion], { timeout: 90_000 });
  const sarif = JSON.parse(readFileSync(output, 'utf8')) as {
    runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine?: number } } }> }> }>;
  };
  return (sarif.runs[0]?.results ?? []).map((result) => {
    const location = result.locations?.[0]?.physicalLocation;
    return { ruleId: result.ruleId, file: location?.artifactLocation.uri ?? '', line: location?.region?.startLine, message: result.message.text };
  });
}

describe('Electronegativity over the desktop shell', () => {
  it('finds what it should in a window made the unsafe way (the scanner really runs)', async () => {
    const sample = join(work, 'sample-src');
    cpSync(join(root, 'tools/testing/unsafe-window.js'), join(sample, 'main.js'));
    const findings = await scan('sample', { [sample]: 'src' });
    const rules = new Set(findings.map((f) => f.ruleId));
    for (const rule of ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'HTTP_RESOURCES_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']) expect(rules).toContain(rule);
  });

  it('has no finding in main, the preload and the renderer that is not fixed or explained where it is', async () => {
    const findings = await scan('ferry', { [join(root, 'src-main')]: 'src-main', [join(root, 'src-renderer')]: 'src-renderer' });
    expect(findings.map((f) => `${f.ruleId} at ${f.file}:${f.line ?? '?'} (${f.message})`)).toEqual([]);
  });
});
