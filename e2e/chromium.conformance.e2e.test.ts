import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type ConformanceLink, defineTransferConformance } from '../src-main/transfer/conformance/suite.js';
import { launchChromium } from './lab/chromium.js';
import { openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { ChromiumConformancePeer } from './support/chromium-conformance-peer.js';
import { startSignalHost } from './support/signal-host.js';

const TEST_PAGES = fileURLToPath(new URL('../out/test-pages/', import.meta.url));

let lab: Lab;
let signalingUrl: string;
const browsers: Record<'alice' | 'bob', Browser | undefined> = { alice: undefined, bob: undefined };
let linkCount = 0;

beforeAll(async () => {
  lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  signalingUrl = (await startSignalHost(lab.host('signal'))).url;
  [browsers.alice, browsers.bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
});

afterAll(async () => {
  await Promise.all(Object.values(browsers).map((b) => b?.close().catch(() => {})));
  await lab?.dispose();
});

/** Two Chromium pages on two lab hosts, each with its own main-services process, through ferry-signal. */
async function chromiumLink(root: string): Promise<ConformanceLink> {
  const n = ++linkCount;
  const ids = { alice: `ferry-alice${String(n).padStart(11, 'a')}`, bob: `ferry-bob${String(n).padStart(13, 'b')}` };
  const open = (side: 'alice' | 'bob', name: string, dial?: string) =>
    openFerryPage(browsers[side] as Browser, lab.host(side), {
      deviceName: name,
      signalingUrl,
      downloadDir: join(root, side),
      page: { dir: TEST_PAGES, path: `conformance.html?id=${ids[side]}${dial ? `&dial=${dial}` : ''}` },
    });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(root, 'alice'), { recursive: true });
  await mkdir(join(root, 'bob'), { recursive: true });
  const loaded = (p: Awaited<ReturnType<typeof open>>) => p.page.waitForFunction(() => 'conformance' in window, null, { timeout: 30_000 });
  const bob = await open('bob', 'Bob');
  await loaded(bob);
  await bob.page.evaluate(() => (window as unknown as { conformance: { registered(): Promise<void> } }).conformance.registered());
  const alice = await open('alice', 'Alice', ids.bob);
  await loaded(alice);
  const ready = (p: typeof bob) => p.page.evaluate(() => (window as unknown as { conformance: { ready(): Promise<void> } }).conformance.ready());
  await Promise.all([ready(alice), ready(bob)]);
  const a = new ChromiumConformancePeer('Alice', join(root, 'alice'), alice);
  const b = new ChromiumConformancePeer('Bob', join(root, 'bob'), bob);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

defineTransferConformance('Chromium between two lab hosts', {
  createLink: chromiumLink,
  timeoutMs: 90_000,
  // A folder picker reports no empty folders (a browser limitation; dropped folders do).
  capabilities: { emptyFoldersFromPicker: false },
});
