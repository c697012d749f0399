import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { connectFerryPair, type FerryPair } from './support/ferry-pair.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

describe('the signaling server restarts in the middle of a transfer', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let pair: FerryPair;
  let root: string;
  let signal: Awaited<ReturnType<typeof startSignalHost>>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-signal-restart-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    signal = await startSignalHost(lab.host('signal'));
    const [alice, bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(alice, bob);
    pair = await connectFerryPair({ lab, browsers: { alice, bob }, signalingUrl: signal.url, downloadDirs: { alice: join(root, 'alice-downloads'), bob: join(root, 'bob-downloads') } });
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the transfer completes (the data path is peer to peer); both re-register with backoff and say so', async () => {
    const file = join(root, 'big.bin');
    const bytes = randomBytes(96 * 1024 * 1024);
    writeFileSync(file, bytes);
    await pair.aliceChat.getByLabel('Files to send to Bob').setInputFiles(file);
    const bobState = pair.bobChat.getByRole('status', { name: 'State of big.bin' });
    await waitForText(bobState, /Wants to send you files/);
    await pair.bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Accept' }).click();
    await waitForText(bobState, /Receiving/, 20_000);

    // The server goes away mid-transfer…
    await signal.process.stop();
    const signaling = (side: 'alice' | 'bob') => pair[side].page.getByRole('status', { name: 'Signaling connection' });
    const seen = await Promise.all([waitForText(signaling('alice'), /Reconnecting in \d+ s/, 20_000), waitForText(signaling('bob'), /Reconnecting in \d+ s/, 20_000)]);
    for (const text of seen) expect(text).toMatch(/attempt \d+/);
    // …the transfer goes on meanwhile (nothing of it passes through the server)…
    expect(await bobState.textContent()).not.toMatch(/Failed|Cancelled/);
    // …and comes back on the same address: both register again by themselves.
    signal = await startSignalHost(lab.host('signal'), signal.port);
    await waitForText(signaling('alice'), /^Connected$/, 60_000);
    await waitForText(signaling('bob'), /^Connected$/, 60_000);

    await waitForText(bobState, /Done, verified/, 120_000);
    const received = readFileSync(join(root, 'bob-downloads', 'big.bin'));
    expect(createHash('sha256').update(received).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await pair.alice.page.getByRole('status', { name: 'Connection to Bob' }).textContent()).toBe('Connected');
  });
});
