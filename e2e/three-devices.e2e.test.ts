import { deviceView, transferRow } from './support/ferry-window.js';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const ARTIFACTS = fileURLToPath(new URL('../test-results/e2e/', import.meta.url));

/** The words of TransferList.tsx's states. */
const WAITING = /^Waiting for the other device to accept$/;
const OFFERED = /^Wants to send you files$/;
const DONE = /^Done, verified$/;
const CANCELLED = /^Cancelled$/;
/** The meta line of an active row: "12.6 MB of 50.3 MB · 1 file · 9.4 MB/s · 4 s left". */
const SPEED = /· ([\d.]+) (B|kB|MB|GB)\/s · (\d+ s|\d+ min|\d+ h \d+ min) left/;

type Name = 'alice' | 'bob' | 'carol';
const DISPLAY: Record<Name, string> = { alice: 'Alice', bob: 'Bob', carol: 'Carol' };

/**
 * Two senders, one receiver: Alice and Carol both connect to Bob and offer him files at the same
 * moment. Each offer is answered in its own device's conversation, and a transfer is started,
 * shown and cancelled for that device only (transfer ids are numbered per link: both senders'
 * first transfer is number 1).
 */
describe('three devices: Alice and Carol both send to Bob at once', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  const apps = {} as Record<Name, FerryPage>;
  let root: string;
  let sources: string;
  let bobDownloads: string;
  /** Conversations on each side: Alice's and Carol's with Bob, Bob's with each of them. */
  let aliceToBob: Locator;
  let carolToBob: Locator;
  let bobFromAlice: Locator;
  let bobFromCarol: Locator;
  /** The second round builds on the first (its rows are on the pages): it runs only after it. */
  let firstRoundDone = false;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-three-'));
    sources = join(root, 'sources');
    bobDownloads = join(root, 'bob-downloads');
    mkdirSync(sources);
    mkdirSync(bobDownloads);
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob', 'carol'] });
    const signal = await startSignalHost(lab.host('signal'));
    const names: Name[] = ['alice', 'bob', 'carol'];
    browsers.push(...(await Promise.all(names.map((n) => launchChromium(lab.host(n))))));
    const pages = await Promise.all(
      names.map((n, i) =>
        openFerryPage(browsers[i] as Browser, lab.host(n), {
          deviceName: DISPLAY[n],
          signalingUrl: signal.url,
          downloadDir: n === 'bob' ? bobDownloads : join(root, `${n}-downloads`),
        }),
      ),
    );
    names.forEach((n, i) => (apps[n] = pages[i] as FerryPage));
    await withLogs(async () => {
      for (const n of names) await waitForText(apps[n].page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
      const bobId = await waitForText(apps.bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      // Both connect to Bob, as two people would: each types Bob's id.
      await Promise.all(
        (['alice', 'carol'] as const).map(async (n) => {
          const page = apps[n].page;
          await page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
          await page.getByRole('button', { name: 'Connect', exact: true }).click();
          await waitForText(page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 30_000);
        }),
      );
      await waitForText(apps.bob.page.getByRole('status', { name: 'Connection to Alice' }), /^Connected$/);
      await waitForText(apps.bob.page.getByRole('status', { name: 'Connection to Carol' }), /^Connected$/);
    });
    aliceToBob = deviceView(apps.alice.page, 'Bob');
    carolToBob = deviceView(apps.carol.page, 'Bob');
    bobFromAlice = deviceView(apps.bob.page, 'Alice');
    bobFromCarol = deviceView(apps.bob.page, 'Carol');
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Runs `step`; when it fails, the error carries every page's console and every main's output. */
  async function withLogs<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const logs = (Object.keys(DISPLAY) as Name[]).flatMap((n) =>
        apps[n] ? [`${DISPLAY[n]}'s page:\n${apps[n].logs.slice(-200).join('\n')}`, `${DISPLAY[n]}'s main:\n${apps[n].main.log.slice(-20_000)}`] : [],
      );
      throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
    }
  }

  async function screenshots(label: string): Promise<void> {
    await Promise.all(
      (Object.keys(DISPLAY) as Name[]).map((n) => apps[n]?.page.screenshot({ path: `${ARTIFACTS}three-devices-${label}-${n}.png`, fullPage: true }).catch(() => {})),
    );
  }

  it('Bob gets a prompt per device; accepting Alice’s starts Alice’s only; both arrive byte for byte', { timeout: 90_000 }, async () => {
    const aliceFile = join(sources, 'alice-1.bin');
    const carolFile = join(sources, 'carol-1.bin');
    const [aliceDigest, carolDigest] = await Promise.all([writeRandomFile(aliceFile, 6 * MiB + 123), writeRandomFile(carolFile, 4 * MiB + 77)]);
    try {
      await withLogs(async () => {
        // Both offer at the same moment.
        await Promise.all([
          aliceToBob.getByLabel('Files to send to Bob').setInputFiles(aliceFile),
          carolToBob.getByLabel('Files to send to Bob').setInputFiles(carolFile),
        ]);
        await waitForText(state(bobFromAlice, 'alice-1.bin'), OFFERED);
        await waitForText(state(bobFromCarol, 'carol-1.bin'), OFFERED);
        await waitForText(state(aliceToBob, 'alice-1.bin'), WAITING);
        await waitForText(state(carolToBob, 'carol-1.bin'), WAITING);

        // Two prompts at the top of Bob's window, one per device, each listing that device's file only.
        const aliceOffer = apps.bob.page.getByRole('group', { name: 'Offer from Alice' });
        const carolOffer = apps.bob.page.getByRole('group', { name: 'Offer from Carol' });
        expect(await apps.bob.page.getByRole('group', { name: /^Offer from / }).count()).toBe(2);
        expect(await aliceOffer.textContent()).toMatch(/^Alice wants to send you 1 file, 6\.3 MB in all\./);
        expect(await carolOffer.textContent()).toMatch(/^Carol wants to send you 1 file, 4\.2 MB in all\./);
        expect(await aliceOffer.getByRole('list', { name: 'Files offered by Alice' }).textContent()).toMatch(/^alice-1\.bin/);
        expect(await carolOffer.getByRole('list', { name: 'Files offered by Carol' }).textContent()).toMatch(/^carol-1\.bin/);

        // Bob accepts Alice's: Alice's transfer leaves "waiting" and moves; Carol's does not.
        await aliceOffer.getByRole('button', { name: 'Accept' }).click();
        await expect
          .poll(
            async () => {
              const sent = await progressOf(aliceToBob, 'alice-1.bin');
              const received = await progressOf(bobFromAlice, 'alice-1.bin');
              return { leftWaiting: !WAITING.test(await textOf(state(aliceToBob, 'alice-1.bin'))), moved: sent > 0 && received > 0 };
            },
            { timeout: 20_000, interval: 50 },
          )
          .toEqual({ leftWaiting: true, moved: true });
        expect(await textOf(state(carolToBob, 'carol-1.bin'))).toMatch(WAITING);
        expect(await textOf(state(bobFromCarol, 'carol-1.bin'))).toMatch(OFFERED);

        await waitForText(state(bobFromAlice, 'alice-1.bin'), DONE, 30_000);
        await waitForText(state(aliceToBob, 'alice-1.bin'), DONE, 30_000);
        // Alice's is done and Carol's has still not moved a byte: it waits for Bob's answer.
        expect(await textOf(state(carolToBob, 'carol-1.bin'))).toMatch(WAITING);
        expect(await progressOf(carolToBob, 'carol-1.bin')).toBe(0);
        expect(await textOf(state(bobFromCarol, 'carol-1.bin'))).toMatch(OFFERED);
        expect(await carolOffer.getByRole('button', { name: 'Accept' }).isEnabled()).toBe(true);
        expect(finalNames(bobDownloads)).toEqual(['alice-1.bin']);

        // Then Carol's, from its own prompt.
        await carolOffer.getByRole('button', { name: 'Accept' }).click();
        await waitForText(state(bobFromCarol, 'carol-1.bin'), DONE, 30_000);
        await waitForText(state(carolToBob, 'carol-1.bin'), DONE, 30_000);
        // Alice's rows stayed done, and each row sits in its own device's conversation.
        expect(await textOf(state(aliceToBob, 'alice-1.bin'))).toMatch(DONE);
        expect(await textOf(state(bobFromAlice, 'alice-1.bin'))).toMatch(DONE);
        expect(await bobFromAlice.getByRole('status', { name: 'State of carol-1.bin' }).count()).toBe(0);
        expect(await bobFromCarol.getByRole('status', { name: 'State of alice-1.bin' }).count()).toBe(0);

        await expect.poll(() => finalNames(bobDownloads), { timeout: 10_000 }).toEqual(['alice-1.bin', 'carol-1.bin']);
        expect(await digestOf(join(bobDownloads, 'alice-1.bin'))).toBe(aliceDigest);
        expect(await digestOf(join(bobDownloads, 'carol-1.bin'))).toBe(carolDigest);
      });
      firstRoundDone = true;
    } finally {
      await screenshots('round1');
    }
  });

  it('both send 48 MiB; both show a speed on Bob’s side; Bob cancels Carol’s: only Alice’s arrives', { timeout: 100_000 }, async () => {
    if (!firstRoundDone) throw new Error('the first round failed: its offers and rows are still on the pages, so this round cannot start clean');
    const aliceFile = join(sources, 'alice-2.bin');
    const carolFile = join(sources, 'carol-2.bin');
    const [aliceDigest] = await Promise.all([writeRandomFile(aliceFile, 48 * MiB), writeRandomFile(carolFile, 48 * MiB + 5)]);
    try {
      await withLogs(async () => {
        await Promise.all([
          aliceToBob.getByLabel('Files to send to Bob').setInputFiles(aliceFile),
          carolToBob.getByLabel('Files to send to Bob').setInputFiles(carolFile),
        ]);
        await waitForText(state(bobFromAlice, 'alice-2.bin'), OFFERED);
        await waitForText(state(bobFromCarol, 'carol-2.bin'), OFFERED);
        await apps.bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Accept' }).click();
        await apps.bob.page.getByRole('group', { name: 'Offer from Carol' }).getByRole('button', { name: 'Accept' }).click();

        // While both run, each of Bob's rows says it is receiving, with its own speed and time left.
        const aliceRow = row(bobFromAlice, 'alice-2.bin');
        const carolRow = row(bobFromCarol, 'carol-2.bin');
        let seen: { alice: string; carol: string } = { alice: '', carol: '' };
        await expect
          .poll(
            async () => {
              seen = { alice: await textOf(aliceRow), carol: await textOf(carolRow) };
              return {
                alice: await textOf(state(bobFromAlice, 'alice-2.bin')),
                carol: await textOf(state(bobFromCarol, 'carol-2.bin')),
                aliceSpeed: speedIn(seen.alice) > 0,
                carolSpeed: speedIn(seen.carol) > 0,
              };
            },
            { timeout: 30_000, interval: 50 },
          )
          .toEqual({ alice: 'Receiving', carol: 'Receiving', aliceSpeed: true, carolSpeed: true });
        console.log(`Bob's rows while both run: ${JSON.stringify(seen.alice.match(SPEED)?.[0])} (Alice), ${JSON.stringify(seen.carol.match(SPEED)?.[0])} (Carol)`);
        // The speed line is in the row itself (not a total for the device).
        expect(await aliceRow.getByText(SPEED).count()).toBe(1);
        expect(await carolRow.getByText(SPEED).count()).toBe(1);
        // The senders' rows are moving too.
        expect(await textOf(state(aliceToBob, 'alice-2.bin'))).toMatch(/^(Sending|Verifying)$/);
        expect(await textOf(state(carolToBob, 'carol-2.bin'))).toMatch(/^(Sending|Verifying)$/);

        // Bob cancels Carol's from its row, mid-way.
        const carolDone = await progressOf(bobFromCarol, 'carol-2.bin');
        expect(carolDone).toBeLessThan(48 * MiB);
        await carolRow.getByRole('button', { name: 'Cancel carol-2.bin' }).click();
        await waitForText(state(bobFromCarol, 'carol-2.bin'), CANCELLED, 15_000);
        await waitForText(state(carolToBob, 'carol-2.bin'), CANCELLED, 15_000);
        // Cancelling Carol's leaves Alice's running.
        expect(await textOf(state(bobFromAlice, 'alice-2.bin'))).toMatch(/^(Receiving|Verifying|Done, verified)$/);

        await waitForText(state(bobFromAlice, 'alice-2.bin'), DONE, 60_000);
        await waitForText(state(aliceToBob, 'alice-2.bin'), DONE, 30_000);
        // Still cancelled on both sides (nothing late turned them into something else).
        expect(await textOf(state(bobFromCarol, 'carol-2.bin'))).toMatch(CANCELLED);
        expect(await textOf(state(carolToBob, 'carol-2.bin'))).toMatch(CANCELLED);

        // Alice's file is there, identical; nothing of Carol's second file is, staged or final.
        expect(await digestOf(join(bobDownloads, 'alice-2.bin'))).toBe(aliceDigest);
        await expect.poll(() => readdirSync(bobDownloads).sort(), { timeout: 10_000 }).toEqual(['alice-1.bin', 'alice-2.bin', 'carol-1.bin']);
      });
    } finally {
      await screenshots('round2');
      rmSync(aliceFile, { force: true });
      rmSync(carolFile, { force: true });
    }
  });

  it('Bob sends one file to Alice and Carol at once: picked once, a transfer each with its own progress, both copies identical', { timeout: 90_000 }, async () => {
    const file = join(sources, 'for-both.bin');
    const digest = await writeRandomFile(file, 40 * MiB + 9);
    const bob = apps.bob.page;
    try {
      await withLogs(async () => {
        await bob.getByLabel('Files to send to several devices').setInputFiles(file);
        const choice = bob.getByRole('group', { name: /^Send for-both\.bin to/ });
        await choice.getByRole('checkbox', { name: 'Alice' }).check();
        await choice.getByRole('checkbox', { name: 'Carol' }).check();
        await choice.getByRole('button', { name: 'Send to 2 devices' }).click();
        await expect.poll(() => choice.count()).toBe(0);
        // Two rows on Bob's side, one per device, each waiting on its own device.
        const toAlice = transferRow(bob, 'for-both.bin', 'to', 'Alice');
        const toCarol = transferRow(bob, 'for-both.bin', 'to', 'Carol');
        await waitForText(toAlice.getByRole('status', { name: 'State of for-both.bin' }), WAITING);
        await waitForText(toCarol.getByRole('status', { name: 'State of for-both.bin' }), WAITING);
        // Alice accepts first; Carol a moment later: their progress differs while both move.
        await apps.alice.page.getByRole('group', { name: 'Offer from Bob' }).getByRole('button', { name: 'Accept' }).click();
        await expect.poll(() => progressOf(toAlice, 'for-both.bin'), { timeout: 30_000 }).toBeGreaterThan(0);
        expect(await progressOf(toCarol, 'for-both.bin')).toBe(0);
        await apps.carol.page.getByRole('group', { name: 'Offer from Bob' }).getByRole('button', { name: 'Accept' }).click();
        await waitForText(toAlice.getByRole('status', { name: 'State of for-both.bin' }), DONE, 60_000);
        await waitForText(toCarol.getByRole('status', { name: 'State of for-both.bin' }), DONE, 60_000);
        expect(await digestOf(join(root, 'alice-downloads', 'for-both.bin'))).toBe(digest);
        expect(await digestOf(join(root, 'carol-downloads', 'for-both.bin'))).toBe(digest);
      });
    } finally {
      await screenshots('send-to-two');
      rmSync(file, { force: true });
    }
  });
});

const MiB = 1024 * 1024;

/** The row of a transfer in what the window shows of a device, found by its state's accessible name. */
function row(device: Locator, title: string): Locator {
  return device.filter({ has: device.page().getByRole('status', { name: `State of ${title}`, exact: true }) });
}

function state(conversation: Locator, title: string): Locator {
  return conversation.getByRole('status', { name: `State of ${title}`, exact: true });
}

/** A transfer's bytes done, from its progress bar. */
async function progressOf(conversation: Locator, title: string): Promise<number> {
  const value = await conversation.getByRole('progressbar', { name: `Progress of ${title}`, exact: true }).getAttribute('value', { timeout: 2000 });
  return Number(value ?? 0);
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent({ timeout: 2000 }).catch(() => null)) ?? '';
}

/** The speed a row shows, in bytes per second (0 when it shows none). */
function speedIn(text: string): number {
  const match = SPEED.exec(text);
  if (!match) return 0;
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as 'B' | 'kB' | 'MB' | 'GB'];
  return Number(match[1]) * unit;
}

/** What is in the download folder under a final name (staging folders left out). */
function finalNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.ferry-incoming'))
    .sort();
}

/** Writes `size` random bytes and returns their sha256. */
async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < size; ) {
    const block = randomFillSync(Buffer.alloc(Math.min(MiB, size - written)));
    hash.update(block);
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

async function digestOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
