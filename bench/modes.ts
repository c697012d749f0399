import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DELIVERY_MODES, type DeliveryMode } from '../src-core/index.js';
import { makeTree } from '../src-main/transfer/conformance/suite.js';
import { launchChromium } from '../e2e/lab/chromium.js';
import { Lab } from '../e2e/lab/lab.js';
import { createChromiumLink } from '../e2e/support/chromium-link.js';
import { startSignalHost } from '../e2e/support/signal-host.js';

export interface LinkProfile {
  name: string;
  delayMs: number;
  jitterMs: number;
  loss: number;
}

/** The links users have, as the issue names them: clean, lossy with latency, and jittery. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: 'tun 0% / 0 ms', delayMs: 0, jitterMs: 0, loss: 0 },
  { name: '1% loss, 20 ms', delayMs: 20, jitterMs: 0, loss: 0.01 },
  { name: '3% loss, 20 ms', delayMs: 20, jitterMs: 0, loss: 0.03 },
  { name: 'jitter 20±15 ms', delayMs: 20, jitterMs: 15, loss: 0 },
];

/**
 * Every delivery mode over every link profile: Chromium to Chromium through the userspace TUN
 * link (WebRTC takes it: it is both hosts' default route, and Chromium gathers on the default
 * route's interface only), end to end through main's sink.
 */
export async function measureModes(sizeBytes: number, profiles = LINK_PROFILES): Promise<Array<{ mode: DeliveryMode; link: string; MBps: number | null; error?: string }>> {
  const results: Array<{ mode: DeliveryMode; link: string; MBps: number | null; error?: string }> = [];
  for (const profile of profiles) {
    const root = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const browsers: Browser[] = [];
    try {
      const signalingUrl = (await startSignalHost(lab.host('signal'))).url;
      await lab.addImpairedLink('alice', 'bob', profile);
      const extraArgs = ['--force-webrtc-ip-handling-policy=default_public_and_private_interfaces'];
      const [alice, bob] = await Promise.all([launchChromium(lab.host('alice'), { extraArgs }), launchChromium(lab.host('bob'), { extraArgs })]);
      browsers.push(alice, bob);
      await makeTree(join(root, 'src'), { 'payload.bin': sizeBytes });
      for (const mode of DELIVERY_MODES) {
        const link = await createChromiumLink({ lab, browsers: { alice, bob }, signalingUrl, root: join(root, mode) });
        try {
          const started = performance.now();
          const id = await link.a.send([join(root, 'src', 'payload.bin')], { mode });
          const outcome = await Promise.race([
            link.a.outcome(id),
            new Promise<{ ok: false; code: string; message: string }>((resolve) =>
              setTimeout(() => resolve({ ok: false, code: 'TIMEOUT', message: 'over 10 minutes' }), 10 * 60 * 1000),
            ),
          ]);
          const seconds = (performance.now() - started) / 1000;
          results.push(outcome.ok ? { mode, link: profile.name, MBps: Math.round((sizeBytes / 1e6 / seconds) * 10) / 10 } : { mode, link: profile.name, MBps: null, error: `${outcome.code}: ${outcome.message}` });
        } finally {
          await link.close();
        }
        console.log(JSON.stringify(results.at(-1)));
      }
    } finally {
      await Promise.all(browsers.map((b) => b.close().catch(() => {})));
      await lab.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  }
  return results;
}
