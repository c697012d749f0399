import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as FusesModule from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The packaged app's shell, checked through electron-builder's own code (Electron's binary cannot
 * be downloaded here, so a stand-in file carries the fuse wire that a real binary carries):
 * electron-builder.yml passes electron-builder's schema, its fuses flip the wire the way Ferry
 * needs, and node-datachannel's native binary is unpacked from the asar (a .node file cannot be
 * loaded from inside one).
 */
const require = createRequire(import.meta.url);
const root = realpathSync(new URL('..', import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), 'ferry-builder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface BuilderConfig {
  electronFuses?: Record<string, boolean>;
  asarUnpack?: string[];
  asar?: boolean;
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
// Through the package's entry: its modules import one another in a cycle that needs this order.
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, boolean>): Promise<Record<string, unknown>> } };
};
const { FileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (from: string, to: string, expand: (p: string) => string, patterns?: string[]) => { createFilter(): (file: string, stat: ReturnType<typeof statSync>) => boolean };
};
const fuses = require('@electron/fuses') as typeof FusesModule;
// The wire's byte values and the marker before it (not re-exported by the package's entry).
const { FuseState, SENTINEL } = require('@electron/fuses/dist/constants') as { FuseState: Record<'ENABLE' | 'DISABLE', number>; SENTINEL: string };

async function loadConfig(): Promise<BuilderConfig> {
  const config = await getConfig(root, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

/** A file with Electron's fuse wire as a fresh Electron ships it (version 1, each fuse's default). */
function standInBinary(): string {
  const { FuseV1Options } = fuses;
  const defaults: Record<number, number> = {
    [FuseV1Options.RunAsNode]: FuseState.ENABLE,
    [FuseV1Options.EnableCookieEncryption]: FuseState.DISABLE,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: FuseState.ENABLE,
    [FuseV1Options.EnableNodeCliInspectArguments]: FuseState.ENABLE,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: FuseState.DISABLE,
    [FuseV1Options.OnlyLoadAppFromAsar]: FuseState.DISABLE,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: FuseState.DISABLE,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: FuseState.ENABLE,
  };
  const wire = Object.keys(defaults).map((option) => defaults[Number(option)] ?? FuseState.DISABLE);
  const path = join(work, 'electron');
  writeFileSync(path, Buffer.concat([Buffer.from('ELF stand-in '), Buffer.from(SENTINEL), Buffer.from([1, wire.length, ...wire]), Buffer.from(' tail')]));
  return path;
}

describe('the packaged shell (electron-builder.yml)', () => {
  it('passes electron-builder’s own schema', async () => {
    await expect(loadConfig()).resolves.toMatchObject({ asar: true });
  });

  it('flips the fuses: no run-as-node, NODE_OPTIONS or --inspect; cookies encrypted; the app only from an integrity-checked asar', async () => {
    const config = await loadConfig();
    const binary = standInBinary();
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses ?? {});
    await fuses.flipFuses(binary, fuseConfig as Parameters<typeof fuses.flipFuses>[1]);
    const wire = await fuses.getCurrentFuseWire(binary);
    const { FuseV1Options } = fuses;
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspectArguments: wire[FuseV1Options.EnableNodeCliInspectArguments],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      onlyFromAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
    }).toEqual({
      runAsNode: FuseState.DISABLE,
      nodeOptions: FuseState.DISABLE,
      inspectArguments: FuseState.DISABLE,
      cookieEncryption: FuseState.ENABLE,
      asarIntegrity: FuseState.ENABLE,
      onlyFromAsar: FuseState.ENABLE,
    });
  });

  it('unpacks node-datachannel’s native binary from the asar, and the engine loads it from node_modules', async () => {
    const config = await loadConfig();
    const unpack = new FileMatcher(root, root, (p) => p, config.asarUnpack).createFilter();
    const nodeDataChannel = join(dirname(require.resolve('node-datachannel')), '../../..');
    const native = require.resolve(`@node-datachannel/${process.platform}-${process.arch}-gnu/node_datachannel.node`, { paths: [nodeDataChannel] });
    for (const file of [native, require.resolve('node-datachannel')]) expect(unpack(file, statSync(file)), file).toBe(true);
    expect(unpack(join(root, 'out/main/index.js'), statSync(join(root, 'package.json')))).toBe(false);
    // Bundled into the engine it would be loaded from inside the asar: it must stay an import.
    expect(readFileSync(join(root, 'out/main/engine.js'), 'utf8')).toMatch(/from "node-datachannel"/);
  });
});
