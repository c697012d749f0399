import { deviceView } from './support/ferry-window.js';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, type FerryPageOptions, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const BIN = fileURLToPath(new URL('../signaling-server/bin/ferry-signal.js', import.meta.url));
const ABUSER = fileURLToPath(new URL('./hosts/signal-abuser.ts', import.meta.url));

describe('a signaling server that protects itself, as the apps and an abuser meet it', () => {
  let lab: Lab;
  const browsers: Record<'alice' | 'bob', Browser | undefined> = { alice: undefined, bob: undefined };
  const pages: FerryPage[] = [];
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-protection-'));
    lab = Lab.create({ hosts: ['signal', 'alice', 'bob', 'mallory'] });
    [browsers.alice, browsers.bob] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(browsers).map((b) => b?.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function open(side: 'alice' | 'bob', options: Partial<FerryPageOptions> & { signalingUrl: string }): Promise<FerryPage> {
    const page = await openFerryPage(browsers[side] as Browser, lab.host(side), {
      deviceName: side === 'alice' ? 'Alice' : 'Bob',
      settingsFile: join(root, `${side}-settings.json`),
      ...options,
    });
    pages.push(page);
    return page;
  }
  async function close(page: FerryPage): Promise<void> {
    await page.context.close();
    await page.main.stop();
  }
  const signaling = (page: FerryPage) => page.page.getByRole('status', { name: 'Signaling connection' });

  it('access tokens: missing or wrong is refused in words (no retrying); a device’s own token works', async () => {
    const secret = randomBytes(24).toString('hex');
    const signal = await startSignalHost(lab.host('signal'), 0, ['--token-secret', secret]);
    try {
      let alice = await open('alice', { signalingUrl: signal.url });
      await waitForText(signaling(alice), /^Offline: The signaling server refused this device: This signaling server needs an access token\./, 20_000);
      const aliceId = await waitForText(alice.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      await close(alice);

      alice = await open('alice', { signalingUrl: signal.url, signalingToken: '1999999999.bm90LWEtcmVhbC1tYWM' });
      await waitForText(signaling(alice), /^Offline: The signaling server refused this device: The access token is not valid/, 20_000);
      await close(alice);

      // The operator mints a token for Alice's id (the CLI the docs show), and she is let in.
      const mint = (peerId: string) => execFileSync(process.execPath, [BIN, 'token', '--peer', peerId, '--ttl', '1h'], { env: { ...process.env, FERRY_SIGNAL_TOKEN_SECRET: secret } }).toString().trim();
      alice = await open('alice', { signalingUrl: signal.url, signalingToken: mint(aliceId) });
      await waitForText(signaling(alice), /^Connected$/, 20_000);
      // A token is bound to its device: Bob cannot use Alice's.
      const bobFirst = await open('bob', { signalingUrl: signal.url, signalingToken: mint(aliceId) });
      await waitForText(signaling(bobFirst), /^Offline: The signaling server refused this device: The access token is not valid/, 20_000);
      const bobId = await waitForText(bobFirst.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      await close(bobFirst);
      const bob = await open('bob', { signalingUrl: signal.url, signalingToken: mint(bobId) });
      await waitForText(signaling(bob), /^Connected$/, 20_000);
      await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
      await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
      await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 20_000);
      // Pairing works under per-device tokens too: the code's slot is registered with Bob's own.
      const panel = (page: FerryPage) => page.page.getByRole('region', { name: 'Pair a device' });
      await panel(bob).getByRole('button', { name: 'Show a pairing code' }).click();
      const code = await waitForText(panel(bob).getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
      await panel(alice).getByRole('textbox', { name: 'Code from the other device' }).fill(code);
      await panel(alice).getByRole('button', { name: 'Pair', exact: true }).click();
      await waitForText(panel(alice).getByRole('status', { name: 'Pairing status' }), /^Paired with Bob\./, 20_000);
      await waitForText(panel(bob).getByRole('status', { name: 'Pairing status' }), /^Paired with Alice\./, 20_000);
      await close(alice);
      await close(bob);
    } finally {
      await signal.process.stop();
    }
  });

  // Origins are a browser's: web pages from other origins are refused (server.test.ts,
  // peerjs-client.test.ts), while the desktop app's engine, a native client in its own process,
  // sends none and is let in; tokens are how an operator keeps apps out.
  it('an origin allowlist keeps web pages out, not the desktop app', async () => {
    const signal = await startSignalHost(lab.host('signal'), 0, ['--allowed-origins', 'https://elsewhere.example']);
    try {
      const alice = await open('alice', { signalingUrl: signal.url });
      await waitForText(signaling(alice), /^Connected$/, 20_000);
      // The window itself reaches no network at all (its CSP): only the engine talks to the server.
      const reached = await alice.page.evaluate(async (url) => fetch(`${url}ice?peer=x`).then(() => true, () => false), signal.url);
      expect(reached).toBe(false);
      await close(alice);
    } finally {
      await signal.process.stop();
    }
  });

  it('an id cannot be taken over, and a flooding client is cut off while another pair still connects', async () => {
    const signal = await startSignalHost(lab.host('signal'), 0);
    try {
      const [alice, bob] = await Promise.all([open('alice', { signalingUrl: signal.url }), open('bob', { signalingUrl: signal.url })]);
      await Promise.all([waitForText(signaling(alice), /^Connected$/, 20_000), waitForText(signaling(bob), /^Connected$/, 20_000)]);
      const aliceId = await waitForText(alice.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      const bobId = await waitForText(bob.page.getByRole('status', { name: 'Your device id' }), /^ferry-/);
      const ws = signal.url.replace(/^http/, 'ws');

      const takeover = lab.host('mallory').spawn('takeover', process.execPath, ['--import', 'tsx', ABUSER, ws, 'takeover', aliceId]);
      expect(JSON.parse(await takeover.waitForLine(/"event":"message"/, 10_000))).toMatchObject({ type: 'ID-TAKEN' });
      expect(JSON.parse(await takeover.waitForLine(/"event":"closed"/, 10_000))).toMatchObject({ code: 4409 });

      const flood = lab.host('mallory').spawn('flood', process.execPath, ['--import', 'tsx', ABUSER, ws, 'flood', 'ferry-mallorymallorymm', '10']);
      await alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(bobId);
      await alice.page.getByRole('button', { name: 'Connect', exact: true }).click();
      const closed = JSON.parse(await flood.waitForLine(/"event":"closed"/, 15_000)) as { code: number; reason: string; sent: number };
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/Too many messages/);
      await waitForText(alice.page.getByRole('status', { name: 'Connection to Bob' }), /^Connected$/, 20_000).catch(async (error: Error) => {
        const why = await deviceView(alice.page, 'Bob').getByRole('alert').textContent().catch(() => '');
        throw new Error(`${error.message} (${why})\nalice main:\n${alice.main.log.slice(-3000)}\nbob main:\n${bob.main.log.slice(-3000)}`);
      });
      // Alice kept her id and her registration through both.
      expect(await signaling(alice).textContent()).toBe('Connected');
      // Both were counted, by reason (read from inside the lab, where the server is).
      const scrape = lab.host('mallory').spawn('scrape', process.execPath, ['-e', `fetch('${signal.url}metrics').then((r) => r.text()).then((text) => console.log(JSON.stringify({ event: 'metrics', text })))`]);
      const { text: metrics } = JSON.parse(await scrape.waitForLine(/"event":"metrics"/, 10_000)) as { text: string };
      expect(metrics).toMatch(/^ferry_signal_refusals_total\{reason="id-taken"\} 1$/m);
      expect(metrics).toMatch(/^ferry_signal_refusals_total\{reason="rate-limited"\} 1$/m);
      await close(alice);
      await close(bob);
    } finally {
      await signal.process.stop();
    }
  });
});
