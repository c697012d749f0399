import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../src-engine/index.js';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { lowContrast } from './support/contrast.js';
import { tile, transferRow, transfers } from './support/ferry-window.js';
import { monitorPage, type PageLoad } from './support/page-monitor.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const SCREENSHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-results/e2e/', import.meta.url));

/** Twelve devices without windows (main and engine as the app runs them), each on a lab host of its own. */
const DEVICES = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kai', 'Lu'] as const;
/** Five files sent to several devices at once: four to all twelve, the last to two — fifty transfers. */
const ROUNDS = [DEVICES.length, DEVICES.length, DEVICES.length, DEVICES.length, 2];
const FILE_SIZE = 192 * 1024;

/**
 * The window at scale: one window (Mira) with 1, then 3, then 12 devices connected, then fifty
 * transfers sent to several devices at once. It checks what a person would see go wrong — a
 * device missing, a tile growing with its transfers, a transfer lost or wrong on disk, the page
 * growing without bound — and prints how the window kept up (frames, long tasks, DOM, heap).
 * Speed is measured and printed, not asserted: this machine is shared and noisy.
 */
describe('scale: one window, twelve devices, fifty transfers', () => {
  let lab: Lab;
  let browser: Browser | undefined;
  let mira: FerryPage;
  const apps: EngineApp[] = [];
  let root: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-scale-'));
    lab = Lab.create({ hosts: ['signal', 'mira', ...DEVICES.map((_, i) => `d${i}`)] });
    const signal = await startSignalHost(lab.host('signal'));
    browser = await launchChromium(lab.host('mira'));
    mira = await openFerryPage(browser, lab.host('mira'), { deviceName: 'Mira', signalingUrl: signal.url });
    // Four at a time: each is two Node processes starting under tsx on a two-core machine.
    for (let i = 0; i < DEVICES.length; i += 4) {
      apps.push(
        ...(await Promise.all(DEVICES.slice(i, i + 4).map((name, j) => startEngineApp(lab.host(`d${i + j}`), { deviceName: name, signalingUrl: signal.url })))),
      );
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await Promise.all(apps.map((app) => app.kill().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the grid holds every device, tiles keep their size, all fifty arrive intact, and the window keeps up', { timeout: 420_000 }, async () => {
    const page = mira.page;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('region', { name: 'Welcome to Ferry' }).getByRole('button', { name: 'Start using Ferry' }).click();
    await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
    const miraId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
    const measure = await monitorPage(page);
    const report: Record<string, unknown> = {};
    try {
      // 1, then 3, then 12 devices connect to Mira.
      let connected = 0;
      for (const count of [1, 3, DEVICES.length]) {
        const started = Date.now();
        const joining = apps.slice(connected, count);
        await Promise.all(joining.map((app) => app.command('connectTo', miraId)));
        for (const app of joining) await waitForText(tile(page, app.name).getByRole('status', { name: `Connection to ${app.name}` }), /^Connected$/, 60_000);
        connected = count;
        expect(await page.getByRole('article', { name: /^Device / }).count()).toBe(count);
        await page.screenshot({ path: join(SCREENSHOTS, `devices-${count}.png`) });
        report[`devices${count}`] = { connectSeconds: (Date.now() - started) / 1000, ...(await measure()) };
      }
      const tileHeights = await heights(page);

      // Every device accepts what Mira sends (the first offer with "Always accept").
      let accepting = true;
      const acceptLoops = apps.map((app) => acceptEverything(app, miraId, () => accepting));

      const sent: Array<{ title: string; digest: string; to: string[] }> = [];
      const roundLoads: Array<PageLoad & { round: number; rowsShownMs: number }> = [];
      for (const [index, count] of ROUNDS.entries()) {
        const title = `round-${index + 1}.bin`;
        const bytes = randomBytes(FILE_SIZE);
        writeFileSync(join(root, title), bytes);
        const to = DEVICES.slice(0, count);
        sent.push({ title, digest: sha256(bytes), to: [...to] });
        await page.getByLabel('Files to send to several devices').setInputFiles(join(root, title));
        const choice = page.getByRole('group', { name: `Send ${title} to:` });
        for (const name of to) await choice.getByRole('checkbox', { name, exact: true }).check();
        if (index === 0) {
          await page.screenshot({ path: join(SCREENSHOTS, 'send-to-several.png') });
          expect(await lowContrast(page), 'WCAG AA contrast, light, choosing devices').toEqual([]);
        }
        const clicked = Date.now();
        await choice.getByRole('button', { name: `Send to ${count} devices` }).click();
        await expect.poll(() => transfers(page).getByRole('listitem', { name: new RegExp(`^${title.replace('.', '\\.')} to `) }).count(), { timeout: 30_000 }).toBe(count);
        roundLoads.push({ round: index + 1, rowsShownMs: Date.now() - clicked, ...(await measure()) });
      }
      // All fifty done and verified in Mira's window.
      const total = ROUNDS.reduce((a, b) => a + b, 0);
      await expect
        .poll(async () => (await transfers(page).getByRole('status', { name: /^State of round-/ }).allTextContents()).filter((t) => t === 'Done, verified').length, { timeout: 240_000, interval: 1000 })
        .toBe(total);
      const settled = await measure();
      accepting = false;
      await Promise.all(acceptLoops);

      // Byte for byte on every device's disk.
      for (const { title, digest, to } of sent) {
        for (const name of to) {
          const app = apps.find((a) => a.name === name) as EngineApp;
          expect(sha256(readFileSync(join(app.downloadDir, title))), `${title} at ${name}`).toBe(digest);
        }
      }
      // The tiles did not grow with their transfers: those are in the transfers view.
      expect(await heights(page)).toEqual(tileHeights);
      expect(await transferRow(page, 'round-5.bin', 'to', 'Ben').count()).toBe(1);
      // A bound on the page, not a timing (measured: about 660 nodes for twelve tiles and fifty rows).
      expect(settled.domNodes).toBeLessThan(1500);
      await page.evaluate(() => document.getElementById('transfers-heading')?.scrollIntoView());
      await page.screenshot({ path: join(SCREENSHOTS, 'transfers-50.png') });
      // WCAG AA contrast of every text shown, in both themes (the theme follows the system's).
      expect(await lowContrast(page), 'WCAG AA contrast, light').toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await lowContrast(page), 'WCAG AA contrast, dark').toEqual([]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SCREENSHOTS, 'devices-12-dark.png') });
      report.rounds = roundLoads;
      report.settled = settled;
    } finally {
      writeFileSync(join(ARTIFACTS, 'scale.json'), JSON.stringify(report, null, 2));
      console.log(`scale: ${JSON.stringify(report)}`);
    }
  });
});

/** The height of every device tile, by name. */
async function heights(page: Page): Promise<Record<string, number>> {
  const entries = await Promise.all(DEVICES.map(async (name) => [name, Math.round((await tile(page, name).boundingBox())?.height ?? -1)] as const));
  return Object.fromEntries(entries);
}

/** Accepts every offer from `from` on `app` until `go` says stop; the first with "Always accept". */
async function acceptEverything(app: EngineApp, from: string, go: () => boolean): Promise<void> {
  const offered = (s: EngineSnapshot) => s.conversations.find((c) => c.peerId === from)?.transfers.filter((t) => t.state === 'offered') ?? [];
  while (go()) {
    for (const transfer of offered(await app.snapshot())) await app.command('acceptTransfer', from, transfer.key, { alwaysAccept: true }).catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
