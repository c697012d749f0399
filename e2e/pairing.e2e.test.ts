import { deviceView, openDetails, tile } from './support/ferry-window.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { fastForward, type FerryPageOptions, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { connectFerryPair, type FerryPair } from './support/ferry-pair.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

describe('pairing by code, two Chromium hosts with main’s real services', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let pair: FerryPair;
  let root: string;
  let signalingUrl: string;
  const browserOf: Partial<Record<'alice' | 'bob', Browser>> = {};

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-pairing-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(alice, bob);
    browserOf.alice = alice;
    browserOf.bob = bob;
    signalingUrl = signal.url;
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
  /** A device's tile on one side; `paired` says whether it shows as paired there. */
  const deviceTile = (side: 'alice' | 'bob', name: string) => tile(pair[side].page, name);
  const pairedPill = (side: 'alice' | 'bob', name: string) => deviceTile(side, name).getByText('Paired', { exact: true });
  const trustedIn = (side: 'alice' | 'bob') =>
    existsSync(join(root, `${side}-settings.json`))
      ? (JSON.parse(readFileSync(join(root, `${side}-settings.json`), 'utf8')) as { trustedDevices: Array<{ peerId: string; name: string; publicKey?: string }> }).trustedDevices
      : [];

  /** Quits one side (window and main) and starts it again on the same settings and identity. */
  async function restart(side: 'alice' | 'bob', extra: Partial<FerryPageOptions> = {}): Promise<void> {
    const old = pair[side];
    await old.context.close();
    await old.main.stop();
    pair[side] = await openFerryPage(browserOf[side] as Browser, lab.host(side), {
      deviceName: side === 'alice' ? 'Alice' : 'Bob',
      signalingUrl,
      downloadDir: join(root, `${side}-downloads`),
      settingsFile: join(root, `${side}-settings.json`),
      ...extra,
    });
    await waitForText(pair[side].page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
  }

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
    // Both list each other as paired, online, with the key's words the other device shows for itself.
    for (const [side, other] of [['alice', 'bob'], ['bob', 'alice']] as const) {
      const name = other === 'alice' ? 'Alice' : 'Bob';
      await waitForText(deviceTile(side, name).getByRole('status', { name: `Presence of ${name}` }), /^Online$/, 20_000);
      expect(await pairedPill(side, name).count()).toBe(1);
      const words = await (await openDetails(pair[side].page, name)).getByLabel(`Key words of ${name}`).textContent();
      await pair[other].page.getByRole('button', { name: 'Show my key words' }).click();
      const own = await pair[other].page.getByLabel('Key words', { exact: true }).textContent();
      expect(words).toMatch(/^[a-z]+( [a-z]+){3}$/);
      expect(words).toBe(own);
    }
  });

  it('a paired device that quits shows Offline on the other side, not Online and Connected', async () => {
    await waitForText(deviceTile('bob', 'Alice').getByRole('status', { name: 'Connection to Alice' }), /^Connected$/, 30_000);
    await pair.alice.context.close();
    await pair.alice.main.stop();
    await waitForText(deviceTile('bob', 'Alice').getByRole('status', { name: 'Presence of Alice' }), /^(Offline|Looking for it)/, 20_000);
    expect(await deviceTile('bob', 'Alice').getByRole('status', { name: 'Connection to Alice' }).textContent()).not.toBe('Connected');
  });

  it('after both restart they find each other, authenticate by key, and a file is accepted without asking', async () => {
    await restart('alice');
    await restart('bob');
    await waitForText(deviceTile('alice', 'Bob').getByRole('status', { name: 'Presence of Bob' }), /^Online$/, 30_000);
    await waitForText(deviceTile('bob', 'Alice').getByRole('status', { name: 'Presence of Alice' }), /^Online$/, 30_000);
    await waitForText(pair.alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/);
    const file = join(root, 'for-bob.bin');
    const bytes = randomBytes(300_000);
    writeFileSync(file, bytes);
    const aliceChat = deviceView(pair.alice.page, 'Bob');
    await aliceChat.getByLabel('Files to send to Bob').setInputFiles(file);
    // Nobody clicks Accept: Bob's Ferry accepts from the paired device by itself.
    const bobChat = deviceView(pair.bob.page, 'Alice');
    await waitForText(bobChat.getByRole('status', { name: 'State of for-bob.bin' }), /Done, verified/, 30_000);
    expect(readFileSync(join(root, 'bob-downloads', 'for-bob.bin')).equals(bytes)).toBe(true);
  });

  it('a paired device can be renamed; the name is kept', async () => {
    const bob = await openDetails(pair.alice.page, 'Bob');
    await bob.getByRole('button', { name: 'Rename Bob' }).click();
    await bob.getByRole('textbox', { name: 'New name for Bob' }).fill('Bob’s laptop');
    await bob.getByRole('button', { name: 'Save name' }).click();
    await waitForText(deviceTile('alice', 'Bob’s laptop').getByRole('status', { name: 'Presence of Bob’s laptop' }), /^Online$/);
    await expect.poll(() => trustedIn('alice').map((d) => d.name)).toEqual(['Bob’s laptop']);
  });

  it('unpairing on one side: its key is forgotten, and the other side’s next attempt is refused, both saying so', async () => {
    const alice = await openDetails(pair.bob.page, 'Alice');
    await alice.getByRole('button', { name: 'Unpair Alice' }).click();
    await alice.getByRole('group', { name: 'Unpair Alice?' }).getByRole('button', { name: 'Unpair', exact: true }).click();
    await expect.poll(() => trustedIn('bob')).toEqual([]);
    await expect.poll(() => pairedPill('bob', 'Alice').count()).toBe(0);
    // Alice still trusts Bob and tries again (presence); Bob refuses, and each says why.
    await waitForText(deviceTile('alice', 'Bob’s laptop').getByRole('status', { name: 'Presence of Bob’s laptop' }), /has unpaired this one/, 30_000);
    await waitForText(deviceView(pair.bob.page, 'Alice').getByRole('alert'), /not paired with this one tried to connect as if it were/, 30_000);
    expect(trustedIn('alice').map((d) => d.name)).toEqual(['Bob’s laptop']);
    // Alice unpairs too: nothing is left on either side.
    const bob = await openDetails(pair.alice.page, 'Bob’s laptop');
    await bob.getByRole('button', { name: 'Unpair Bob’s laptop' }).click();
    await bob.getByRole('button', { name: 'Unpair', exact: true }).click();
    await expect.poll(() => trustedIn('alice')).toEqual([]);
  });

  it('an expired code: the showing side says so after 10 minutes, and the typing side hears nobody is there', async () => {
    await restart('bob', { fakeClock: true });
    await panel('bob').getByRole('button', { name: 'Show a pairing code' }).click();
    const code = await waitForText(panel('bob').getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
    await fastForward(pair.bob, 601_000);
    await waitForText(panel('bob').getByRole('status', { name: 'Pairing status' }), /That code has expired/);
    await panel('alice').getByRole('textbox', { name: 'Code from the other device' }).fill(code);
    await panel('alice').getByRole('button', { name: 'Pair', exact: true }).click();
    await waitForText(panel('alice').getByRole('status', { name: 'Pairing status' }), /No device is showing that code/, 30_000);
    expect(trustedIn('alice')).toEqual([]);
    expect(trustedIn('bob')).toEqual([]);
  });
});
