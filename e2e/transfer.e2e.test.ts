import { deviceView } from './support/ferry-window.js';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, snapshot } from '../src-engine/testing/conformance/trees.js';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const ARTIFACTS = fileURLToPath(new URL('../test-results/e2e/', import.meta.url));

describe('files from one Chromium peer to another, through main’s real file sink', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  let alice: FerryPage;
  let bob: FerryPage;
  let root: string;
  let sources: string;
  let bobDownloads: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-transfer-'));
    sources = join(root, 'sources');
    bobDownloads = join(root, 'bob-downloads');
    mkdirSync(sources);
    mkdirSync(bobDownloads);
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const signal = await startSignalHost(lab.host('signal'));
    const [browserA, browserB] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(browserA, browserB);
    [alice, bob] = await Promise.all([
      // Main's folder picker (recorded) answers with the folder the first test makes.
      openFerryPage(browserA, lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url, downloadDir: join(root, 'alice-downloads'), pickFolderAnswer: join(sources, 'Holiday') }),
      openFerryPage(browserB, lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url, downloadDir: bobDownloads }),
    ]);
    const status = (p: FerryPage) => p.page.getByRole('status', { name: 'Signaling connection' });
    await Promise.all([waitForText(status(alice), /^Connected$/), waitForText(status(bob), /^Connected$/)]);
    const bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
    await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
    await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('Alice sends a folder (main’s picker), Bob accepts, the files and empty subfolders land in Bob’s download folder byte for byte', async () => {
    await makeTree(sources, {
      'Holiday/beach.jpg': 3 * 1024 * 1024 + 17,
      'Holiday/notes/todo.txt': 2048,
      'Holiday/empty.txt': 0,
      'Holiday/Empty album': null,
    });
    const aliceChat = deviceView(alice.page, 'Bob');
    const bobChat = deviceView(bob.page, 'Alice');
    try {
      await aliceChat.getByRole('button', { name: 'Send a folder to Bob' }).click();
      await waitForText(bobChat.getByRole('status', { name: 'State of Holiday (3 files)' }), /Wants to send you files/);
      await bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Accept' }).click();
      await waitForText(bobChat.getByRole('status', { name: 'State of Holiday (3 files)' }), /Done, verified/, 60_000);
      await waitForText(aliceChat.getByRole('status', { name: 'State of Holiday (3 files)' }), /Done, verified/, 60_000);
      const expected = await snapshot(sources);
      const received = await snapshot(bobDownloads);
      expect(received).toEqual(expected);
    } finally {
      await alice.page.screenshot({ path: `${ARTIFACTS}transfer-alice.png`, fullPage: true }).catch(() => {});
      await bob.page.screenshot({ path: `${ARTIFACTS}transfer-bob.png`, fullPage: true }).catch(() => {});
    }
  });

  it('moves 256 MiB through the real signaling server, identical on disk', { timeout: 240_000 }, async () => {
    const size = 256 * 1024 * 1024;
    const path = join(sources, 'big.iso');
    const sourceDigest = await writeRandomFile(path, size);
    const aliceChat = deviceView(alice.page, 'Bob');
    const bobChat = deviceView(bob.page, 'Alice');
    const started = Date.now();
    await aliceChat.getByLabel('Files to send to Bob').setInputFiles(path);
    await waitForText(bobChat.getByRole('status', { name: 'State of big.iso' }), /Wants to send you files/);
    await bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Accept' }).click();
    await waitForText(bobChat.getByRole('status', { name: 'State of big.iso' }), /Done, verified/, 200_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`256 MiB Chromium → Chromium: ${seconds.toFixed(1)} s, ${(size / 1e6 / seconds).toFixed(1)} MB/s`);
    expect(await digestOf(join(bobDownloads, 'big.iso'))).toBe(sourceDigest);
    rmSync(path);
    rmSync(join(bobDownloads, 'big.iso'));
  });

  it('Bob declines: Alice is told, nothing is written', async () => {
    await makeTree(sources, { 'unwanted.bin': 50_000 });
    const before = await snapshot(bobDownloads);
    const aliceChat = deviceView(alice.page, 'Bob');
    const bobChat = deviceView(bob.page, 'Alice');
    await aliceChat.getByLabel('Files to send to Bob').setInputFiles(join(sources, 'unwanted.bin'));
    await waitForText(bobChat.getByRole('status', { name: 'State of unwanted.bin' }), /Wants to send you files/);
    await bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Decline' }).click();
    await waitForText(aliceChat.getByRole('status', { name: 'State of unwanted.bin' }), /^Declined$/);
    expect(await snapshot(bobDownloads)).toEqual(before);
  });
});

/** Writes `size` random bytes in 1 MiB blocks and returns their sha256. */
async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    hash.update(block);
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
