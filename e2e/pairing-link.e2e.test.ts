import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage, openLinkInMain } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

/*
 * ferry://pair/<code> links (issue 6): the OS hands a link to main (simulated: a line on
 * main-host's stdin, or its command line), main checks it with the app's own module and pushes
 * the code to the window, and the window asks before pairing: a link can come from anyone.
 */
describe('pairing links, two Chromium hosts with main’s real services', () => {
  let lab: Lab;
  let root: string;
  let signalingUrl: string;
  const browsers: Browser[] = [];
  let alice: FerryPage;
  let bob: FerryPage;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-pairing-link-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    signalingUrl = (await startSignalHost(lab.host('signal'))).url;
    const [aliceBrowser, bobBrowser] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(aliceBrowser, bobBrowser);
    [alice, bob] = await Promise.all([
      openFerryPage(aliceBrowser, lab.host('alice'), { deviceName: 'Alice', signalingUrl, settingsFile: join(root, 'alice-settings.json') }),
      openFerryPage(bobBrowser, lab.host('bob'), { deviceName: 'Bob', signalingUrl, settingsFile: join(root, 'bob-settings.json') }),
    ]);
    await connected(alice);
    await connected(bob);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const panel = (ferry: FerryPage) => ferry.page.getByRole('region', { name: 'Pair a device' });
  const prompt = (page: Page) => page.getByRole('region', { name: 'Pairing link' });
  const question = (code: string) => new RegExp(`A link asks to pair with the device showing code ${code}\\. Pair only if you know who sent it\\.`);

  async function connected(ferry: FerryPage): Promise<void> {
    try {
      await waitForText(ferry.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nPage:\n${ferry.logs.join('\n')}\nMain:\n${ferry.main.log}`, { cause: error });
    }
  }

  async function showCode(): Promise<string> {
    await panel(bob).getByRole('button', { name: 'Show a pairing code' }).click();
    return waitForText(panel(bob).getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
  }

  it('a hostile link is ignored by main, with a reason, and the window shows nothing', async () => {
    const hostile = [
      'ferry://pair/../..',
      'ferry://pair/427-orbit-velvet?then=pair-silently',
      'ferry://pair/427-orbit-velvet/extra',
      'ferry://send/427-orbit-velvet',
      'ferry://pair/427-orbit-notaword',
      'ferry://pair/427%2Dorbit-velvet',
      `ferry://pair/${'a'.repeat(500)}`,
      'javascript:alert(1)',
    ];
    for (const link of hostile) {
      expect(await openLinkInMain(alice, link), link).toEqual({ ok: false, reason: expect.any(String) });
    }
    // Main sent nothing, so nothing may appear; give the page a moment in which it could.
    await alice.page.waitForTimeout(500);
    expect(await prompt(alice.page).count()).toBe(0);
    expect(await panel(alice).getByRole('status', { name: 'Pairing status' }).textContent()).toBe('');
  });

  it('a link asks first: "Ignore" does nothing, "Pair with this code" pairs both', async () => {
    const code = await showCode();
    // Links may shout; main normalises the code.
    expect(await openLinkInMain(alice, `FERRY://pair/${code.toUpperCase()}`)).toEqual({ ok: true, code });
    const ask = prompt(alice.page);
    await waitForText(ask, question(code));

    await ask.getByRole('button', { name: 'Ignore' }).click();
    await ask.waitFor({ state: 'detached', timeout: 5_000 });
    // Nothing started: Alice is not pairing, and Bob still waits with the same code.
    await alice.page.waitForTimeout(1_000);
    expect(await panel(alice).getByRole('status', { name: 'Pairing status' }).textContent()).toBe('');
    expect(await panel(bob).getByRole('status', { name: 'Pairing code' }).textContent()).toBe(code);
    expect(await panel(bob).getByRole('status', { name: 'Pairing status' }).textContent()).toBe('');

    expect(await openLinkInMain(alice, `ferry://pair/${code}`)).toEqual({ ok: true, code });
    await waitForText(ask, question(code));
    await ask.getByRole('button', { name: 'Pair with this code' }).click();
    await waitForText(panel(alice).getByRole('status', { name: 'Pairing status' }), /^Paired with Bob\./, 20_000);
    await waitForText(panel(bob).getByRole('status', { name: 'Pairing status' }), /^Paired with Alice\./, 20_000);
    expect(await ask.count()).toBe(0);
  });

  it('a link on the command line that starts Ferry is kept until the window listens', async () => {
    const code = await showCode();
    // Carol: a second app on Alice's host, started by the OS with the link as its argument.
    const carol = await openFerryPage(browsers[0] as Browser, lab.host('alice'), {
      deviceName: 'Carol',
      signalingUrl,
      settingsFile: join(root, 'carol-settings.json'),
      argv: ['/opt/Ferry/ferry', '--no-sandbox', `ferry://pair/${code}`],
    });
    try {
      await carol.main.waitForLine(/"event":"open-url","source":"the command line".*"ok":true/, 5_000);
      const ask = prompt(carol.page);
      await waitForText(ask, question(code));
      await connected(carol);
      await ask.getByRole('button', { name: 'Pair with this code' }).click();
      await waitForText(panel(carol).getByRole('status', { name: 'Pairing status' }), /^Paired with Bob\./, 20_000);
      await waitForText(panel(bob).getByRole('status', { name: 'Pairing status' }), /^Paired with Carol\./, 20_000);
    } finally {
      await carol.context.close().catch(() => {});
      await carol.main.stop();
    }
  });
});
