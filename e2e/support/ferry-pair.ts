import { deviceView } from './ferry-window.js';
import type { Browser, Locator } from 'playwright-core';
import { type FerryPage, type FerryPageOptions, openFerryPage } from '../lab/ferry-page.js';
import type { Lab } from '../lab/lab.js';
import { waitForText } from './wait.js';

/** Two Ferry apps (the real UI and main's services) on the lab hosts "alice" and "bob", connected. */
export interface FerryPair {
  alice: FerryPage;
  bob: FerryPage;
  aliceChat: Locator;
  bobChat: Locator;
}

export async function connectFerryPair(options: {
  lab: Lab;
  browsers: { alice: Browser; bob: Browser };
  signalingUrl: string;
  downloadDirs: { alice: string; bob: string };
  /** More options for each page (settings file, folder-picker answer, clipboard). */
  alice?: Partial<FerryPageOptions>;
  bob?: Partial<FerryPageOptions>;
}): Promise<FerryPair> {
  const { lab, browsers, signalingUrl, downloadDirs } = options;
  const [alice, bob] = await Promise.all([
    openFerryPage(browsers.alice, lab.host('alice'), { deviceName: 'Alice', signalingUrl, downloadDir: downloadDirs.alice, ...options.alice }),
    openFerryPage(browsers.bob, lab.host('bob'), { deviceName: 'Bob', signalingUrl, downloadDir: downloadDirs.bob, ...options.bob }),
  ]);
  try {
    await waitForText(bob.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
    await waitForText(alice.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nAlice's page:\n${alice.logs.join('\n')}\nBob's page:\n${bob.logs.join('\n')}\nBob's main:\n${bob.main.log}`, { cause: error });
  }
  const bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
  await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
  await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
  // Up to 45 s: a first connection that never opens (a lab flake, cause not found) is given up
  // after 20 s and dialled once more.
  await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 45_000);
  return {
    alice,
    bob,
    aliceChat: deviceView(alice.page, 'Bob'),
    bobChat: deviceView(bob.page, 'Alice'),
  };
}

/** Alice offers one file; resolves when Bob is asked. */
export async function offerFile(pair: FerryPair, path: string, name: string): Promise<void> {
  await pair.aliceChat.getByLabel('Files to send to Bob').setInputFiles(path);
  await waitForText(pair.bobChat.getByRole('status', { name: `State of ${name}` }), /Wants to send you files/);
}

/** Bob accepts; resolves with the transfer's wall time once it is verified (or failed). */
export async function acceptAndWait(pair: FerryPair, name: string, timeoutMs: number): Promise<{ seconds: number; state: string }> {
  const started = performance.now();
  await pair.bob.page.getByRole('group', { name: 'Offer from Alice' }).getByRole('button', { name: 'Accept' }).click();
  const state = await waitForText(pair.bobChat.getByRole('status', { name: `State of ${name}` }), /Done, verified|Failed/, timeoutMs);
  return { seconds: (performance.now() - started) / 1000, state };
}

/** Runs `step`; when it fails, the error carries both pages' console and both mains' output. */
export async function withPairLogs<T>(pair: FerryPair, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const logs = [
      `Alice's page:\n${pair.alice.logs.join('\n')}`,
      `Bob's page:\n${pair.bob.logs.join('\n')}`,
      `Alice's main:\n${pair.alice.main.log}`,
      `Bob's main:\n${pair.bob.main.log}`,
    ];
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
  }
}
