import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { connectFerryPair, type FerryPair } from './support/ferry-pair.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

describe('pairing by code, two Chromium hosts with main’s real services', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let pair: FerryPair;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-pairing-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(alice, bob);
    pair = await connectFerryPair({
      lab,
      browsers: { alice, bob },
      signalingUrl: signal.url,
      downloadDirs: { alice: join(root, 'alice-downloads'), bob: join(root, 'bob-downloads') },
      alice: { settingsFile: join(root, 'alice-settings.json') },
      bob: { settingsFile: join(root, 'bob-settings.json') },
    });
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const panel = (side: 'alice' | 'bob') => pair[side].page.getByRole('region', { name: 'Pair a device' });

  it('a wrong code: both sides say so, and nothing is stored', async () => {
    await panel('bob').getByRole('button', { name: 'Show a pairing code' }).click();
    const code = await waitForText(panel('bob').getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
    const [slot, first] = code.split('-') as [string, string, string];
    const wrong = `${slot}-${first}-${first === 'zoo' ? 'abandon' : 'zoo'}`;
    await panel('alice').getByRole('textbox', { name: 'Code from the other device' }).fill(wrong);
    await panel('alice').getByRole('button', { name: 'Pair', exact: true }).click();
    for (const side of ['alice', 'bob'] as const) {
      await waitForText(panel(side).getByRole('status', { name: 'Pairing status' }), /The code didn’t match/, 20_000);
    }
    // Nothing stored: no settings were ever written, or none with a trusted device.
    for (const side of ['alice', 'bob']) {
      const file = join(root, `${side}-settings.json`);
      const trusted = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { trustedDevices: unknown[] }).trustedDevices : [];
      expect(trusted).toEqual([]);
    }
  });

  it('the right code: both list each other by key, and show the same words', async () => {
    await panel('bob').getByRole('button', { name: 'Show a pairing code' }).click();
    const code = await waitForText(panel('bob').getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
    await panel('alice').getByRole('textbox', { name: 'Code from the other device' }).fill(code.toUpperCase().replace(/-/g, ' '));
    await panel('alice').getByRole('button', { name: 'Pair', exact: true }).click();
    const aliceSays = await waitForText(panel('alice').getByRole('status', { name: 'Pairing status' }), /^Paired with Bob\./, 20_000);
    const bobSays = await waitForText(panel('bob').getByRole('status', { name: 'Pairing status' }), /^Paired with Alice\./, 20_000);
    const words = (text: string) => text.split(': ')[1];
    expect(words(aliceSays)).toBe(words(bobSays));
    const ids = {
      alice: await pair.alice.page.getByRole('status', { name: 'Your device id' }).textContent(),
      bob: await pair.bob.page.getByRole('status', { name: 'Your device id' }).textContent(),
    };
    await expect
      .poll(() => (JSON.parse(readFileSync(join(root, 'alice-settings.json'), 'utf8')) as { trustedDevices: Array<{ peerId: string }> }).trustedDevices)
      .toEqual([expect.objectContaining({ name: 'Bob', peerId: ids.bob, publicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) })]);
    await expect
      .poll(() => (JSON.parse(readFileSync(join(root, 'bob-settings.json'), 'utf8')) as { trustedDevices: Array<{ peerId: string }> }).trustedDevices)
      .toEqual([expect.objectContaining({ name: 'Alice', peerId: ids.alice, publicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) })]);
  });
});
