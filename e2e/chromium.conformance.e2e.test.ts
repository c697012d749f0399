import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { defineTransferConformance } from '../src-main/transfer/conformance/suite.js';
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
