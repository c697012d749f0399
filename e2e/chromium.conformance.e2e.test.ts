import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defineTransferConformance, makeTree } from '../src-main/transfer/conformance/suite.js';
import type { ChromiumConformancePeer } from './support/chromium-conformance-peer.js';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { createChromiumLink } from './support/chromium-link.js';
import { startSignalHost } from './support/signal-host.js';

let lab: Lab;
let signalingUrl: string;
let browsers: { alice: Browser; bob: Browser } | undefined;

beforeAll(async () => {
  lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  signalingUrl = (await startSignalHost(lab.host('signal'))).url;
  const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
  browsers = { alice, bob };
});

afterAll(async () => {
  await Promise.all(Object.values(browsers ?? {}).map((b) => b.close().catch(() => {})));
  await lab?.dispose();
});

defineTransferConformance('Chromium between two lab hosts', {
  createLink: (root) => createChromiumLink({ lab, browsers: browsers as { alice: Browser; bob: Browser }, signalingUrl, root }),
  timeoutMs: 90_000,
  // A folder picker reports no empty folders (a browser limitation; dropped folders do).
  capabilities: { emptyFoldersFromPicker: false },
});

it('stripes a transfer over the link and its three stripe connections, each carrying data', { timeout: 90_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'ferry-stripes-'));
  const link = await createChromiumLink({ lab, browsers: browsers as { alice: Browser; bob: Browser }, signalingUrl, root });
  try {
    await mkdir(join(root, 'src'));
    await makeTree(join(root, 'src'), { 'striped.bin': 24 * 1024 * 1024 + 3 });
    const id = await link.a.send([join(root, 'src', 'striped.bin')], { mode: 'reliable-ordered' });
    expect(await link.a.outcome(id)).toEqual({ ok: true });
    expect((await readFile(join(link.b.downloadDir, 'striped.bin'))).equals(await readFile(join(root, 'src', 'striped.bin')))).toBe(true);
    const frames = await (link.b as ChromiumConformancePeer).framesPerConnection();
    expect(frames).toHaveLength(4);
    // 385 chunks over four connections: every one of them carries a real share.
    for (const n of frames) expect(n).toBeGreaterThan(20);
  } finally {
    await link.close();
    await rm(root, { recursive: true, force: true });
  }
});
