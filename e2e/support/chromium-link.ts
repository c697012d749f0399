import { idDigits } from './peer-ids.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ConformanceLink } from '../../src-main/transfer/conformance/suite.js';
import { type FerryPage, openFerryPage } from '../lab/ferry-page.js';
import type { Lab } from '../lab/lab.js';
import { ChromiumConformancePeer } from './chromium-conformance-peer.js';

const TEST_PAGES = fileURLToPath(new URL('../../out/test-pages/', import.meta.url));
let linkCount = 0;

/**
 * Two conformance peers in Chromium pages on the lab hosts "alice" and "bob", each with its own
 * main-services process, meeting through the signaling server; download folders under `root`.
 */
export async function createChromiumLink(options: {
  lab: Lab;
  browsers: { alice: Browser; bob: Browser };
  signalingUrl: string;
  root: string;
  /** Stripes the dialing page opens (default: the app's). */
  stripes?: number;
}): Promise<ConformanceLink> {
  const n = ++linkCount;
  const ids = { alice: `ferry-alice${idDigits(n, 11)}`, bob: `ferry-bob${idDigits(n, 13)}` };
  const open = async (side: 'alice' | 'bob', name: string, dial?: string): Promise<FerryPage> => {
    await mkdir(join(options.root, side), { recursive: true });
    const page = await openFerryPage(options.browsers[side], options.lab.host(side), {
      deviceName: name,
      signalingUrl: options.signalingUrl,
      downloadDir: join(options.root, side),
      page: { dir: TEST_PAGES, path: `conformance.html?id=${ids[side]}${dial ? `&dial=${dial}` : ''}${options.stripes === undefined ? '' : `&stripes=${options.stripes}`}` },
    });
    await page.page.waitForFunction(() => 'conformance' in window, null, { timeout: 30_000 });
    return page;
  };
  const call = (p: FerryPage, method: 'registered' | 'ready') =>
    p.page.evaluate((m) => (window as unknown as { conformance: Record<string, () => Promise<void>> }).conformance[m]?.(), method);
  const bob = await open('bob', 'Bob');
  await call(bob, 'registered');
  const alice = await open('alice', 'Alice', ids.bob);
  await Promise.all([call(alice, 'ready'), call(bob, 'ready')]);
  const a = new ChromiumConformancePeer('Alice', join(options.root, 'alice'), alice);
  const b = new ChromiumConformancePeer('Bob', join(options.root, 'bob'), bob);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}
