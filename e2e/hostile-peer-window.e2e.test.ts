import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeControl, encodeDataFrame } from '../src-core/index.js';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { connectLink, type EngineApp, startEngineApp } from './support/engine-app.js';
import { openConversation, transferRow } from './support/ferry-window.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const controlFrame = (message: Record<string, unknown>) => encodeControl(message as Parameters<typeof encodeControl>[0]);
const offer = (transferId: number, path: string, size: number) =>
  controlFrame({ type: 'offer', transferId, mode: 'reliable-ordered', chunkSize: 16_384, digest: 'xxh128', blockChunks: 64, totalEntries: 1, totalBytes: size, entries: [{ kind: 'file', path, size, mtime: 0 }] });

/**
 * Issue 17's words, in the window: a genuine device (real engine, real WebRTC, an honest hello
 * and session authentication) that then writes what a hostile implementation would. The person
 * at Bob's window is told what Ferry refused and why, and a transfer the peer broke is the peer's
 * failure in words, never "You cancelled"; nothing partial stays.
 */
describe('the window, facing a device that sends what Ferry refuses', () => {
  let lab: Lab;
  let root: string;
  let browser: Browser;
  let bob: FerryPage;
  let mallory: EngineApp;
  let bobDownloads: string;
  let bobId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-hostile-window-'));
    lab = Lab.create({ hosts: ['signal', 'bob', 'mallory'] });
    const signal = await startSignalHost(lab.host('signal'));
    browser = await launchChromium(lab.host('bob'));
    bobDownloads = mkdtempSync(join(root, 'bob-'));
    bob = await openFerryPage(browser, lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url, downloadDir: bobDownloads });
    mallory = await startEngineApp(lab.host('mallory'), { deviceName: 'Mallory', signalingUrl: signal.url, webrtc: 'taps' });
    bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/, 45_000);
    await mallory.waitFor('mallory signaling', (s) => (s.signaling?.kind === 'connected' ? true : undefined), 45_000);
    await connectLink(mallory, bobId, 'a link to Bob');
  }, 180_000);

  afterAll(async () => {
    await mallory?.kill();
    await bob?.context.close().catch(() => {});
    await bob?.main.stop();
    await browser?.close().catch(() => {});
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const leftovers = () => readdirSync(bobDownloads);

  it('an offer with a name outside its folder: nobody is asked; the window says who tried what and why', async () => {
    await mallory.inject('control', offer(4242, '../../.bashrc', 120));
    const row = transferRow(bob.page, 'An offer Ferry refused', 'from', 'Mallory');
    await waitForText(row.getByRole('status', { name: 'State of An offer Ferry refused' }), /^Failed$/, 30_000);
    expect(await row.textContent()).toMatch(/Ferry refused it before asking you: Refused the file name "\.\.\/\.\.\/\.bashrc": it points outside its folder/);
    expect(await bob.page.getByRole('group', { name: 'Offer from Mallory' }).count()).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('data that lies about its chunk: the row says the other device sent what Ferry could not accept, nothing partial stays', async () => {
    await mallory.inject('control', offer(4343, 'innocent.bin', 40_000));
    const prompt = bob.page.getByRole('group', { name: 'Offer from Mallory' });
    await prompt.getByRole('button', { name: 'Accept' }).click({ timeout: 30_000 });
    const row = transferRow(bob.page, 'innocent.bin', 'from', 'Mallory');
    await waitForText(row.getByRole('status', { name: 'State of innocent.bin' }), /Receiving|In progress|Waiting/, 20_000);
    await mallory.inject('ferry-reliable-ordered', encodeDataFrame({ transferId: 4343, fileIndex: 0, chunkIndex: 0 }, new Uint8Array(randomBytes(16_384))));
    await mallory.inject('ferry-reliable-ordered', encodeDataFrame({ transferId: 4343, fileIndex: 0, chunkIndex: 999 }, new Uint8Array(16_384)));
    await waitForText(row.getByRole('status', { name: 'State of innocent.bin' }), /^Failed$/, 30_000);
    const words = (await row.textContent()) ?? '';
    expect(words).toMatch(/The other device sent data Ferry could not accept/);
    expect(words).not.toMatch(/cancel/i);
    await expect.poll(leftovers, { timeout: 10_000 }).toEqual([]);
  });

  it('a control message on a data channel: the same words, and the session goes on', async () => {
    await mallory.inject('control', offer(4444, 'second.bin', 20_000));
    await bob.page.getByRole('group', { name: 'Offer from Mallory' }).getByRole('button', { name: 'Accept' }).click({ timeout: 30_000 });
    const row = transferRow(bob.page, 'second.bin', 'from', 'Mallory');
    await waitForText(row.getByRole('status', { name: 'State of second.bin' }), /Receiving|In progress|Waiting/, 20_000);
    await mallory.inject('ferry-reliable-ordered', controlFrame({ type: 'text', id: 'x1', body: 'not here' }));
    await waitForText(row.getByRole('status', { name: 'State of second.bin' }), /^Failed$/, 30_000);
    const words = (await row.textContent()) ?? '';
    expect(words).toMatch(/could not accept/);
    expect(words).not.toMatch(/cancel/i);
    await expect.poll(leftovers, { timeout: 10_000 }).toEqual([]);
    await mallory.command('sendText', bobId, 'still talking');
    const conversation = await openConversation(bob.page, 'Mallory');
    await waitForText(conversation.getByText('still talking'), /still talking/, 20_000);
  });
});
