import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * The layers are enforced, not hoped for: these tests feed forbidden code to the project's own
 * ESLint configuration and to src-core's compiler settings and expect both to refuse it.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function lintErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId?.includes('no-restricted-imports')).map((m) => m.message);
}

describe('import boundaries (ESLint)', () => {
  it.each([
    ['src-core/x.ts', "import { app } from '../src-main/index.js';\nexport const y = app;"],
    ['src-core/wire/x.ts', "import { App } from '../../src-renderer/ui/App';\nexport const y = App;"],
    ['src-core/x.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;"],
    ['src-core/x.ts', "import { ipcMain } from 'electron';\nexport const y = ipcMain;"],
    ['src-core/x.ts', "import { useState } from 'react';\nexport const y = useState;"],
    ['src-renderer/x.ts', "import { createIpcDispatcher } from '../src-main/ipc/dispatcher';\nexport const y = createIpcDispatcher;"],
    ['src-renderer/x.ts', "import { FERRY_CHANNELS } from '../src-main/preload/channels';\nexport const y = FERRY_CHANNELS;"],
    ['src-renderer/x.ts', "import { FerryApi } from '../src-main/preload/api';\nexport const y: FerryApi | undefined = undefined;"],
    ['src-renderer/x.ts', "import { readFile } from 'node:fs/promises';\nexport const y = readFile;"],
    ['src-main/x.ts', "import { App } from '../src-renderer/ui/App';\nexport const y = App;"],
    ['src-main/preload/x.ts', "import { z } from 'zod';\nexport const y = z;"],
    ['signaling-server/src/x.ts', "import { FerryError } from '../../src-core/index.js';\nexport const y = FerryError;"],
    ['src-engine/x.ts', "import { readFile } from 'node:fs/promises';\nexport const y = readFile;"],
    ['src-engine/x.ts', "import { Peer } from 'peerjs';\nexport const y = Peer;"],
    ['src-engine/x.ts', "import { PeerConnection } from 'node-datachannel';\nexport const y = PeerConnection;"],
    ['src-engine/x.ts', "import { createMainServices } from '../src-main/services.js';\nexport const y = createMainServices;"],
    ['src-engine/x.ts', "import { nodeRuntime } from '../src-node/runtime.js';\nexport const y = nodeRuntime;"],
    ['src-node/x.ts', "import { app } from 'electron';\nexport const y = app;"],
    ['src-node/x.ts', "import { createMainServices } from '../src-main/services.js';\nexport const y = createMainServices;"],
    ['src-cli/x.ts', "import { app } from 'electron';\nexport const y = app;"],
    ['src-web/x.ts', "import { readFile } from 'node:fs/promises';\nexport const y = readFile;"],
    ['src-web/x.ts', "import { nodeRuntime } from '../src-node/runtime.js';\nexport const y = nodeRuntime;"],
    ['src-cli/x.ts', "import { safeStorageBox } from '../src-main/identity/safe-storage-box.js';\nexport const y = safeStorageBox;"],
    ['src-cli/x.ts', "import { electronPlatform } from '../src-main/desktop/electron-platform.js';\nexport const y = electronPlatform;"],
    ['src-cli/x.ts', "import { createIpcDispatcher } from '../src-main/ipc/dispatcher.js';\nexport const y = createIpcDispatcher;"],
  ])('refuses %s: %s', async (file, code) => {
    expect(await lintErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['src-core/x.ts', "import { z } from 'zod';\nexport const y = z;"],
    ['src-renderer/x.ts', "import type { FerryApi } from '../src-main/preload/api';\nexport type Y = FerryApi;"],
    ['src-renderer/x.ts', "import { ChatSession } from '../src-core/index';\nexport const y = ChatSession;"],
    ['src-main/x.ts', "import { startSignalingServer } from '../signaling-server/src/index.js';\nexport const y = startSignalingServer;"],
    ['src-engine/x.ts', "import { PeerSession } from '../src-core/index.js';\nexport const y = PeerSession;"],
    ['src-node/x.ts', "import { readFile } from 'node:fs/promises';\nexport const y = readFile;"],
    ['src-cli/x.ts', "import { SettingsStore } from '../src-main/settings/store.js';\nexport const y = SettingsStore;"],
  ])('allows %s: %s', async (file, code) => {
    expect(await lintErrors(file, code)).toEqual([]);
  });
});

describe.each(['src-core', 'src-engine'])('%s compiles without DOM or Node', (part) => {
  const configPath = `${ROOT}${part}/tsconfig.json`;
  const { config } = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, `${ROOT}${part}`);

  function diagnosticsFor(code: string): string[] {
    const fileName = `${ROOT}${part}/__probe__.ts`;
    const host = ts.createCompilerHost({ ...options, noEmit: true });
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === fileName ? code : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === fileName || fileExists(name);
    const program = ts.createProgram([fileName], { ...options, noEmit: true, composite: false }, host);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it.each([
    ['document', 'export const y = document.title;'],
    ['window', 'export const y = window;'],
    ['process', 'export const y = process.env;'],
    ['Buffer', 'export const y = Buffer.alloc(1);'],
    ['TextEncoder', 'export const y = new TextEncoder();'],
  ])('rejects %s', (_name, code) => {
    expect(diagnosticsFor(code).join('\n')).toMatch(/Cannot find name/);
  });

  it('accepts plain ES2022', () => {
    expect(diagnosticsFor('export const y: Map<string, number> = new Map([["a", 1]]);')).toEqual([]);
  });
});
