import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { EngineSnapshot, SignalingConfig } from '../../src-engine/index.js';
import { READY_NOTE, serveDevice, START_NOTE } from '../../src-engine/remote/device-protocol.js';
import { EngineClient } from '../../src-engine/remote/engine-client.js';
import type { PortLike } from '../../src-engine/remote/port.js';
import type { ConformanceDevice } from '../../src-engine/testing/conformance/device.js';
import { MemoryMain } from '../../src-engine/testing/memory-main.js';
import { type FerryPage, openFerryPage } from '../lab/ferry-page.js';
import type { LabHost } from '../lab/lab.js';

const TEST_PAGES = fileURLToPath(new URL('../../out/test-pages/', import.meta.url));

type Envelope = { port: 'main' | 'view'; message: unknown };
type EnginePage = { connect(): void; receive(envelope: Envelope): void; stage(path: string, input: 'files' | 'folder', emptyFolders: string[]): number };

export interface ChromiumEngine extends ConformanceDevice {
  readonly ferry: FerryPage;
  close(): Promise<void>;
}

/** The folders under `root` (itself included) that hold nothing, as `<root's name>/<path>`. */
async function emptyFolders(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string, rel: string) => {
    const names = await readdir(abs);
    if (names.length === 0) out.push(rel);
    for (const name of names) if ((await stat(join(abs, name))).isDirectory()) await walk(join(abs, name), `${rel}/${name}`);
  };
  await walk(root, basename(root));
  return out;
}

/**
 * The engine in a Chromium page (src-renderer/testing/engine-page.ts) on a lab host, with main's
 * services in their own process beside it for the download folder (openFerryPage), and the
 * page's main and view here: a MemoryMain (settings, an identity key) and an EngineClient, both
 * over one Playwright binding.
 */
export async function openChromiumEngine(browser: Browser, host: LabHost, options: { deviceName: string; signalingUrl: string }): Promise<ChromiumEngine> {
  const downloadDir = mkdtempSync(join(tmpdir(), 'ferry-chromium-downloads-'));
  const ferry = await openFerryPage(browser, host, {
    deviceName: options.deviceName,
    signalingUrl: options.signalingUrl,
    downloadDir,
    page: { dir: TEST_PAGES, path: 'engine-page.html' },
  });
  const { page } = ferry;
  await page.waitForFunction(() => '__ferryEnginePage' in window, null, { timeout: 30_000 });
  const listeners: Record<Envelope['port'], Set<(message: unknown) => void>> = { main: new Set(), view: new Set() };
  await page.exposeBinding('__ferryTestOut', (_source, envelope: Envelope) => {
    for (const listener of [...listeners[envelope.port]]) listener(envelope.message);
  });
  const portTo = (name: Envelope['port']): PortLike => ({
    post: (message) => {
      void page
        .evaluate((envelope) => (window as unknown as { __ferryEnginePage: EnginePage }).__ferryEnginePage.receive(envelope), { port: name, message } as Envelope)
        .catch(() => {});
    },
    onMessage: (listener) => {
      listeners[name].add(listener);
      return () => listeners[name].delete(listener);
    },
  });
  const main = new MemoryMain({ deviceName: options.deviceName, downloadDir });
  const signaling: SignalingConfig = { url: options.signalingUrl, key: 'peerjs', iceServers: [], embedded: false, relayOnly: false };
  const rpc = serveDevice(portTo('main'), main);
  rpc.onNote(READY_NOTE, () => rpc.note(START_NOTE, main.start(signaling)));
  const client = new EngineClient(portTo('view'));
  await page.evaluate(() => (window as unknown as { __ferryEnginePage: EnginePage }).__ferryEnginePage.connect());
  const stage = (path: string, input: 'files' | 'folder', empty: string[]) =>
    page.evaluate(([p, i, e]) => (window as unknown as { __ferryEnginePage: EnginePage }).__ferryEnginePage.stage(p, i, e), [path, input, empty] as [string, 'files' | 'folder', string[]]);

  let picking: Promise<void> = Promise.resolve();
  const pickNow = async (paths: string[]) => {
    for (const path of paths) {
      if ((await stat(path)).isDirectory()) {
        await page.locator('#folder').setInputFiles(path);
        await stage(path, 'folder', await emptyFolders(path));
      } else {
        await page.locator('#files').setInputFiles(path);
        await stage(path, 'files', []);
      }
    }
  };

  return {
    name: options.deviceName,
    downloadDir,
    ferry,
    command: (name, ...args) => client.command(name, ...args),
    snapshot: async (): Promise<EngineSnapshot> => client.getSnapshot(),
    waitFor: async (what, check, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = check(client.getSnapshot());
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`${options.deviceName}: timed out waiting for ${what}; last snapshot: ${JSON.stringify(client.getSnapshot()).slice(0, 4000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    // What a person picks goes in through the page's inputs, as a picker's files would: one
    // pick at a time (an input holds one pick's files).
    pick: (paths) => {
      const turn = picking.then(() => pickNow(paths));
      picking = turn.catch(() => {});
      return turn;
    },
    log: () => `${ferry.logs.join('\n')}\n--- main:\n${ferry.main.log}`,
    close: async () => {
      client.close();
      rpc.close();
      await ferry.context.close().catch(() => {});
      await ferry.main.stop();
      rmSync(downloadDir, { recursive: true, force: true });
    },
  };
}
