import { deviceView, openConversation, tile } from './support/ferry-window.js';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { listNamespaces } from './lab/netns.js';
import { startSignalHost } from './support/signal-host.js';
import type { TrackedProcess } from './lab/processes.js';
import { waitForText } from './support/wait.js';

const ARTIFACTS = fileURLToPath(new URL('../test-results/e2e/', import.meta.url));

describe('two Chromium peers on two lab hosts chat through Ferry’s signaling server', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let alice: FerryPage;
  let bob: FerryPage;
  let signalProcess: TrackedProcess;
  let signalPort: number;

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../out/renderer/index.html', import.meta.url)))) {
      throw new Error('out/renderer is missing: run `npm run build` first (npm test does).');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    signalProcess = signal.process;
    signalPort = signal.port;
    const [browserA, browserB] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(browserA, browserB);
    [alice, bob] = await Promise.all([
      openFerryPage(browserA, lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url }),
      openFerryPage(browserB, lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url }),
    ]);
  });

  afterAll(async () => {
    const namespaces = lab?.namespaceNames ?? [];
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    // The lab leaves nothing behind: no namespace, no process.
    const left = listNamespacesSafe();
    for (const ns of namespaces) expect(left).not.toContain(ns);
    for (const p of lab?.trackedProcesses ?? []) expect(p.running).toBe(false);
  });

  it('A connects to B by id, sends a message, B replies, both see delivery', async () => {
    try {
      const status = (p: FerryPage) => p.page.getByRole('status', { name: 'Signaling connection' });
      await Promise.all([waitForText(status(alice), /^Connected$/), waitForText(status(bob), /^Connected$/)]);

      const bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-[a-z2-7]{16}$/);
      await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
      await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();

      const aliceChat = deviceView(alice.page, 'Bob');
      const bobChat = deviceView(bob.page, 'Alice');
      // Up to 45 s: now and then a first connection never opens in the lab (node-datachannel; cause
      // not found yet) and a person's dial is given up after 20 s and tried once more (LinkBook).
      await waitForText(aliceChat.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 45_000);
      await waitForText(bobChat.getByRole('status', { name: 'Connection to Alice' }), /^Connected$/, 45_000);
      // Messages open from each device's tile.
      await Promise.all([openConversation(alice.page, 'Bob'), openConversation(bob.page, 'Alice')]);

      await aliceChat.getByRole('textbox', { name: 'Message to Bob' }).fill('Hello Bob, this is Alice 🚢');
      await aliceChat.getByRole('button', { name: 'Send message' }).click();
      await waitForText(bobChat.getByRole('log', { name: 'Messages with Alice' }), /Hello Bob, this is Alice 🚢.*Received/);
      await waitForText(aliceChat.getByRole('log', { name: 'Messages with Bob' }), /Hello Bob, this is Alice 🚢.*Delivered/);

      await bobChat.getByRole('textbox', { name: 'Message to Alice' }).fill('Hi Alice! Got it.');
      await bobChat.getByRole('textbox', { name: 'Message to Alice' }).press('Enter');
      await waitForText(aliceChat.getByRole('log', { name: 'Messages with Bob' }), /Hi Alice! Got it\..*Received/);
      await waitForText(bobChat.getByRole('log', { name: 'Messages with Alice' }), /Hi Alice! Got it\..*Delivered/);
    } finally {
      await alice?.page.screenshot({ path: `${ARTIFACTS}chat-alice.png`, fullPage: true }).catch(() => {});
      await bob?.page.screenshot({ path: `${ARTIFACTS}chat-bob.png`, fullPage: true }).catch(() => {});
    }
  });

  it('a device nobody has: the failed card offers to try again or go, and Remove takes it off the list', async () => {
    const nobody = 'ferry-aaaaaaaaaaaaaaaa';
    await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(nobody);
    await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
    const card = tile(alice.page, nobody);
    await waitForText(card.getByRole('status', { name: `Connection to ${nobody}` }), /^Connection failed$/, 30_000);
    await card.getByRole('button', { name: `Connect to ${nobody} again` }).click();
    await waitForText(card.getByRole('status', { name: `Connection to ${nobody}` }), /^Connection failed$/, 30_000);
    await card.getByRole('button', { name: `Remove ${nobody} from the list` }).click();
    await expect.poll(() => card.count()).toBe(0);
    // The working conversation is untouched.
    await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/);
  });

  it('keeps talking peer to peer while the signaling server is down, and reconnects when it returns', async () => {
    const status = (p: FerryPage) => p.page.getByRole('status', { name: 'Signaling connection' });
    const aliceChat = deviceView(alice.page, 'Bob');
    const bobChat = deviceView(bob.page, 'Alice');
    const idBefore = await alice.page.getByRole('status', { name: 'Your device id' }).textContent();
    try {
      await signalProcess.stop();
      await Promise.all([
        waitForText(status(alice), /Reconnecting in \d+ s \(attempt \d+\)/),
        waitForText(status(bob), /Reconnecting in \d+ s \(attempt \d+\)/),
      ]);
      // Said where it is seen, at the top, whatever is scrolled.
      await waitForText(alice.page.getByRole('status', { name: 'Signaling problem' }), /unreachable; trying again in \d+ s\. Open connections carry on/);
      await alice.page.screenshot({ path: `${ARTIFACTS}reconnecting-alice.png`, fullPage: true });

      // The DataChannel does not need the server.
      await Promise.all([openConversation(alice.page, 'Bob'), openConversation(bob.page, 'Alice')]);
      await aliceChat.getByRole('textbox', { name: 'Message to Bob' }).fill('Server is down, still here');
      await aliceChat.getByRole('button', { name: 'Send message' }).click();
      await waitForText(bobChat.getByRole('log', { name: 'Messages with Alice' }), /Server is down, still here.*Received/);
      await waitForText(aliceChat.getByRole('log', { name: 'Messages with Bob' }), /Server is down, still here.*Delivered/);

      signalProcess = (await startSignalHost(lab.host('signal'), signalPort)).process;
      // Backoff is capped at 30 s; "Retry now" skips the wait.
      for (const p of [alice, bob]) {
        const retry = p.page.getByRole('button', { name: 'Retry now' });
        if (await retry.isVisible()) await retry.click().catch(() => {});
      }
      await Promise.all([waitForText(status(alice), /^Connected$/, 40_000), waitForText(status(bob), /^Connected$/, 40_000)]);
      expect(await alice.page.getByRole('status', { name: 'Signaling problem' }).count()).toBe(0);
      expect(await alice.page.getByRole('status', { name: 'Your device id' }).textContent()).toBe(idBefore);
    } finally {
      await alice.page.screenshot({ path: `${ARTIFACTS}reconnected-alice.png`, fullPage: true }).catch(() => {});
    }
  });
});

function listNamespacesSafe(): string[] {
  try {
    return listNamespaces();
  } catch {
    return []; // not root: host-network mode made none
  }
}
