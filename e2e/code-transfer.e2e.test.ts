import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { lowContrast } from './support/contrast.js';
import { tile, transferRow } from './support/ferry-window.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const SCREENSHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/**
 * Send with a one-time code, window to window, on two lab hosts that never met: Alice picks a
 * file and reads the code out, Bob types it; the file arrives without a prompt, and neither keeps
 * the other as a paired device. A wrong code fails both sides and writes nothing.
 */
describe('send with a code, between two windows that never met', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let alice: FerryPage;
  let bob: FerryPage;
  let root: string;
  let bobDownloads: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-code-'));
    bobDownloads = join(root, 'bob-downloads');
    mkdirSync(bobDownloads);
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    browsers.push(...(await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))])));
    [alice, bob] = await Promise.all([
      openFerryPage(browsers[0] as Browser, lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url }),
      openFerryPage(browsers[1] as Browser, lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url, downloadDir: bobDownloads }),
    ]);
    for (const p of [alice, bob]) await waitForText(p.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const panel = (p: Page) => p.getByRole('region', { name: 'Send or receive with a code' });

  async function showCode(file: string): Promise<string> {
    await panel(alice.page).getByLabel('Files to send with a code').setInputFiles(file);
    return waitForText(panel(alice.page).getByRole('status', { name: 'Transfer code' }), /^\d{3}-[a-z]+-[a-z]+$/);
  }

  async function type(code: string): Promise<void> {
    await panel(bob.page).getByRole('textbox', { name: 'Code from the sender' }).fill(code);
    await panel(bob.page).getByRole('button', { name: 'Receive', exact: true }).click();
  }

  it('a wrong code: both sides say so, the code is used up, nothing is written', async () => {
    const file = join(root, 'never.bin');
    writeFileSync(file, randomBytes(10_000));
    const code = await showCode(file);
    await type(code.replace(/^(\d+)-(\w+)-(\w+)$/, '$1-$3-$2'));
    for (const p of [alice, bob]) await waitForText(panel(p.page).getByRole('status', { name: 'Code transfer status' }), /code didn’t match/, 30_000);
    expect(readdirSync(bobDownloads).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('the right code: the file arrives byte for byte without a prompt, and neither is paired with the other', async () => {
    const file = join(root, 'by-code.bin');
    writeFileSync(file, randomBytes(2_000_000));
    const code = await showCode(file);
    await panel(alice.page).scrollIntoViewIfNeeded();
    await alice.page.screenshot({ path: join(SCREENSHOTS, 'send-with-code.png') });
    expect(await lowContrast(alice.page)).toEqual([]);
    await type(code);
    // 45 s: the link's first dial may die on its way (libdatachannel#1612) and is tried again.
    const row = transferRow(bob.page, 'by-code.bin', 'from', 'Alice');
    await waitForText(row.getByRole('status', { name: 'State of by-code.bin' }), /^Done, verified$/, 45_000);
    expect(readFileSync(join(bobDownloads, 'by-code.bin')).equals(readFileSync(file))).toBe(true);
    await waitForText(transferRow(alice.page, 'by-code.bin', 'to', 'Bob').getByRole('status', { name: 'State of by-code.bin' }), /^Done, verified$/);
    expect(await bob.page.getByRole('group', { name: /^Offer from / }).count()).toBe(0);
    expect(await waitForText(panel(bob.page).getByRole('status', { name: 'Code transfer status' }), /Receiving from Alice/)).toBeTruthy();
    for (const [p, other] of [[alice, 'Bob'], [bob, 'Alice']] as const) expect(await tile(p.page, other).getByText('Not paired', { exact: true }).count()).toBe(1);
  });
});
