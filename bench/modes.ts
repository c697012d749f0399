import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { DEFAULT_MODE, DELIVERY_MODES, type DeliveryMode, STRIPE_COUNT } from '../src-core/index.js';
import { makeTree } from '../src-main/transfer/conformance/suite.js';
import { launchChromium } from '../e2e/lab/chromium.js';
import { Lab } from '../e2e/lab/lab.js';
import { createChromiumLink } from '../e2e/support/chromium-link.js';
import { startSignalHost } from '../e2e/support/signal-host.js';

export interface LinkProfile {
  name: string;
  /** False: the lab's plain veth bridge, no TUN forwarder. */
  impaired: boolean;
  delayMs: number;
  jitterMs: number;
  loss: number;
}

/** The links users have, as the issue names them: clean, lossy with latency, and jittery. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: 'clean bridge', impaired: false, delayMs: 0, jitterMs: 0, loss: 0 },
  { name: 'tun 0% / 0 ms', impaired: true, delayMs: 0, jitterMs: 0, loss: 0 },
  { name: '1% loss, 20 ms', impaired: true, delayMs: 20, jitterMs: 0, loss: 0.01 },
  { name: '3% loss, 20 ms', impaired: true, delayMs: 20, jitterMs: 0, loss: 0.03 },
  { name: 'jitter 20±15 ms', impaired: true, delayMs: 20, jitterMs: 15, loss: 0 },
];

export interface ModeResult {
  mode: DeliveryMode;
  /** RTCPeerConnections carrying data: 1, or 1 + stripes. */
  connections: number;
  link: string;
  MBps: number | null;
  error?: string;
}

/** What runs on each link: every mode on one connection, and the default (striped). */
const VARIANTS: ReadonlyArray<{ mode: DeliveryMode; stripes: number }> = [
  ...DELIVERY_MODES.map((mode) => ({ mode, stripes: 0 })),
  { mode: DEFAULT_MODE, stripes: STRIPE_COUNT },
];

/**
 * Every delivery mode over every link profile, on one connection and striped: Chromium to
 * Chromium through the userspace TUN link (WebRTC takes it: it is both hosts' default route,
 * and Chromium gathers on the default route's interface only), end to end through main's sink.
 * The clean profile uses the plain bridge and `cleanSizeBytes` (it is fast).
 */
export async function measureModes(sizeBytes: number, cleanSizeBytes: number, profiles = LINK_PROFILES): Promise<ModeResult[]> {
  const results: ModeResult[] = [];
  for (const profile of profiles) {
    const root = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const browsers: Browser[] = [];
    const size = profile.impaired ? sizeBytes : cleanSizeBytes;
    try {
      const signalingUrl = (await startSignalHost(lab.host('signal'))).url;
      const extraArgs: string[] = [];
      if (profile.impaired) {
        await lab.addImpairedLink('alice', 'bob', profile);
        extraArgs.push('--force-webrtc-ip-handling-policy=default_public_and_private_interfaces');
      }
      const [alice, bob] = await Promise.all([launchChromium(lab.host('alice'), { extraArgs }), launchChromium(lab.host('bob'), { extraArgs })]);
      browsers.push(alice, bob);
      await makeTree(join(root, 'src'), { 'payload.bin': size });
      for (const { mode, stripes } of VARIANTS) {
        const link = await createChromiumLink({ lab, browsers: { alice, bob }, signalingUrl, root: join(root, `${mode}-${stripes}`), stripes });
        const connections = 1 + stripes;
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
          results.push(
            outcome.ok
              ? { mode, connections, link: profile.name, MBps: Math.round((size / 1e6 / seconds) * 10) / 10 }
              : { mode, connections, link: profile.name, MBps: null, error: `${outcome.code}: ${outcome.message}` },
          );
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
