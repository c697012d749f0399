import type { Browser } from 'playwright-core';
import { defineEngineConformance } from '../src-engine/testing/conformance/suite.js';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { openChromiumEngine } from './support/chromium-engine.js';
import { startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * The engine conformance suite between the engine in a Chromium page (Chromium's WebRTC, files
 * as Blobs from the page's inputs, received files through main's sink) and a Ferry device
 * without a window (the engine in Node on node-datachannel), each on its own lab host, a real
 * signaling server on a third.
 */

defineEngineConformance('a Chromium page and a Node engine, two lab hosts', {
  // The page's downloads go through main's sink over IPC, which keeps no journal: a Chromium
  // page does not resume (the desktop app's engine runs in Node; the browser peer is issue 15).
  resume: false,
  createPair: async () => {
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    let browser: Browser | undefined;
    try {
      const signal = await startSignalHost(lab.host('signal'));
      browser = await launchChromium(lab.host('alice'));
      const [a, b] = await Promise.all([
        openChromiumEngine(browser, lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url }),
        startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url }),
      ]);
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await browser?.close().catch(() => {});
          await lab.dispose();
        },
      };
    } catch (error) {
      await browser?.close().catch(() => {});
      await lab.dispose();
      throw error;
    }
  },
  largeBytes: 32 * 1024 * 1024 + 1,
  timeoutMs: 90_000,
});
