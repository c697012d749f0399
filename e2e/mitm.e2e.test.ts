import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairingPeerId } from '../src-core/index.js';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import type { TrackedProcess } from './lab/processes.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

/*
 * Issue 6, a man in the middle: a hostile signaling server (e2e/hosts/mitm-signal.ts) routes
 * both apps to a relay (e2e/hosts/mitm-relay.ts) that terminates both DTLS sessions and forwards
 * every DataChannel message. Pairing through it must fail on both sides with nothing stored, and
 * so must an authenticated session between paired devices. The relay's report shows it really
 * relayed, so the test cannot pass by the attack simply not happening.
 */

const MITM_SIGNAL = fileURLToPath(new URL('./hosts/mitm-signal.ts', import.meta.url));
const MITM_RELAY = fileURLToPath(new URL('./hosts/mitm-relay.ts', import.meta.url));
const Side = ['alice', 'bob'] as const;
type Side = (typeof Side)[number];

interface Event {
  event: string;
  [key: string]: unknown;
}
interface Leg {
  peer: string;
  local: string[];
  remote: string[];
}

function randomPeerId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `ferry-${[...randomBytes(16)].map((b) => alphabet[b & 31]).join('')}`;
}

/** Every JSON line a host process prints, kept for assertions. */
function collect(proc: TrackedProcess): Event[] {
  const events: Event[] = [];
  proc.onLine((line) => {
    try {
      events.push(JSON.parse(line) as Event);
    } catch {
      // not a report line
    }
  });
  return events;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let seq = 0;
/** A JSON-line command to a host process, resolved when it acknowledges. */
async function command(proc: TrackedProcess, message: Record<string, unknown>): Promise<void> {
  const n = ++seq;
  const ack = proc.waitForLine(new RegExp(`"event":"ok","seq":${n}}`), 5000, { fresh: true });
  proc.child.stdin?.write(`${JSON.stringify({ ...message, seq: n })}\n`);
  await ack;
}

/**
 * Runs in the page: records every success the UI ever shows (a conversation "Connected", a
 * "Paired with"), however briefly, so "never succeeded" is checked, not sampled.
 */
function recordSuccesses(): void {
  const w = window as unknown as { __mitmSuccesses?: string[] };
  if (w.__mitmSuccesses) return;
  const seen: string[] = [];
  w.__mitmSuccesses = seen;
  const check = () => {
    for (const el of Array.from(document.querySelectorAll('[role="status"]'))) {
      const label = el.getAttribute('aria-label') ?? '';
      const text = el.textContent ?? '';
      const success = (label.startsWith('Connection to ') && text === 'Connected') || (label === 'Pairing status' && text.startsWith('Paired with'));
      if (success && !seen.includes(`${label}: ${text}`)) seen.push(`${label}: ${text}`);
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
}

const successes = (page: Page) => page.evaluate(() => (window as unknown as { __mitmSuccesses?: string[] }).__mitmSuccesses ?? []);

describe('a man in the middle: a hostile signaling server routes both apps to a relay', () => {
  let lab: Lab;
  const browsers: Browser[] = [];
  const pages = {} as Record<Side, FerryPage>;
  let hostileUrl: string;
  const ids = {} as Record<Side, string>;
  /** The relay's id each victim is routed to. */
  const relayIds: Record<Side, string> = { alice: randomPeerId(), bob: randomPeerId() };
  let proxy: TrackedProcess;
  let relay: TrackedProcess;
  let proxyEvents: Event[];
  let relayEvents: Event[];
  let root: string;

  const settingsFile = (side: Side) => join(root, `${side}-settings.json`);
  const downloads = (side: Side) => join(root, `${side}-downloads`);
  const trusted = (side: Side): Array<{ peerId: string; name: string }> =>
    existsSync(settingsFile(side)) ? (JSON.parse(readFileSync(settingsFile(side), 'utf8')) as { trustedDevices: Array<{ peerId: string; name: string }> }).trustedDevices : [];
  const panel = (side: Side) => pages[side].page.getByRole('region', { name: 'Pair a device' });
  const pairingStatus = (side: Side) => panel(side).getByRole('status', { name: 'Pairing status' });
  const relayed = (bridge: number) => relayEvents.filter((e) => e.event === 'forwarded' && e.bridge === bridge);
  const bridges = (from: number) => relayEvents.filter((e) => e.event === 'incoming' && (e.bridge as number) > from);
  const lastBridge = () => Math.max(0, ...relayEvents.filter((e) => e.event === 'incoming').map((e) => e.bridge as number));
  const diagnostics = () =>
    `\nrelay:\n${relay.log.slice(-6000)}\nproxy:\n${proxy.log.slice(-3000)}\nAlice's page:\n${pages.alice.logs.slice(-30).join('\n')}\nBob's page:\n${pages.bob.logs.slice(-30).join('\n')}`;

  /** Bob shows a code; resolves with it and its slot's peer id once that id is registered. */
  const showCode = async (): Promise<{ code: string; slotId: string }> => {
    const registeredBefore = proxyEvents.length;
    await panel('bob').getByRole('button', { name: 'Show a pairing code' }).click();
    const code = await waitForText(panel('bob').getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
    const slotId = pairingPeerId(Number(code.split('-')[0]));
    await until('the code’s slot to register', () => proxyEvents.slice(registeredBefore).find((e) => e.event === 'registered' && e.id === slotId), 10_000);
    return { code, slotId };
  };
  const enterCode = async (code: string) => {
    await panel('alice').getByRole('textbox', { name: 'Code from the other device' }).fill(code);
    await panel('alice').getByRole('button', { name: 'Pair', exact: true }).click();
  };
  /** The relay's bridge `n` opened both legs with different DTLS fingerprints on each. */
  const expectBridged = async (n: number) => {
    const bridged = await until(`bridge ${n} to open`, () => relayEvents.find((e) => e.event === 'bridged' && e.bridge === n), 15_000);
    const caller = bridged.caller as Leg;
    const callee = bridged.callee as Leg;
    // Each victim's DTLS peer is the relay: what the caller sees is not the callee's certificate.
    for (const fp of caller.local) expect(callee.remote).not.toContain(fp);
    expect(caller.remote).not.toEqual(callee.remote);
    expect(caller.remote.length).toBeGreaterThan(0);
  };
  const relayedTypes = (n: number, from: 'caller' | 'callee') => relayed(n).filter((e) => e.from === from).map((e) => e.type);

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../out/renderer/index.html', import.meta.url)))) {
      throw new Error('out/renderer is missing: run `npm run build` first (npm test does).');
    }
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-mitm-'));
    lab = Lab.create({ hosts: ['signal', 'relay', 'alice', 'bob'] });
    const signalHost = lab.host('signal');
    const signal = await startSignalHost(signalHost);
    proxy = signalHost.spawn('mitm-signal', process.execPath, ['--import', 'tsx', MITM_SIGNAL, signal.url, signalHost.netns ? '0.0.0.0' : '127.0.0.1']);
    proxyEvents = collect(proxy);
    relay = lab.host('relay').spawn('mitm-relay', process.execPath, ['--import', 'tsx', MITM_RELAY, signal.url, relayIds.alice, relayIds.bob]);
    relayEvents = collect(relay);
    const [{ port }, browserA, browserB] = await Promise.all([
      proxy.waitForLine(/"event":"listening"/, 15_000).then((line) => JSON.parse(line) as { port: number }),
      launchChromium(lab.host('alice')),
      launchChromium(lab.host('bob')),
      relay.waitForLine(/"event":"ready"/, 20_000),
    ]);
    browsers.push(browserA, browserB);
    // The apps know only the hostile server.
    hostileUrl = `http://${signalHost.address}:${port}/`;
    await Promise.all(Side.map((side) => startApp(side)));
    for (const side of Side) ids[side] = await waitForText(pages[side].page.getByRole('status', { name: 'Your device id' }), /^ferry-[a-z2-7]{16}$/);
  });

  /** Starts (or starts again) one side's app: window, main and engine, on its settings. */
  async function startApp(side: Side): Promise<void> {
    const browser = browsers[Side.indexOf(side)] as Browser;
    mkdirSync(downloads(side), { recursive: true });
    pages[side] = await openFerryPage(browser, lab.host(side), { deviceName: side === 'alice' ? 'Alice' : 'Bob', signalingUrl: hostileUrl, settingsFile: settingsFile(side), downloadDir: downloads(side) });
    const { page, context } = pages[side];
    await context.addInitScript(recordSuccesses);
    await page.evaluate(recordSuccesses);
    await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
  }

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => {})));
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('pairing through the relay fails on both sides, three times in a row, and stores nothing', async () => {
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const before = lastBridge();
        const { code, slotId } = await showCode();
        // Alice's dial of the code's slot goes to the relay, which dials the real slot.
        await command(relay, { cmd: 'target', via: relayIds.alice, target: slotId });
        await command(proxy, { cmd: 'route', victim: ids.alice, target: slotId, via: relayIds.alice });
        await enterCode(code);
        for (const side of Side) {
          await waitForText(pairingStatus(side), /^The code didn’t match\. Check it with the other person and try a new one\.$/, 25_000);
        }
        const [bridge] = bridges(before);
        expect(bridge).toMatchObject({ via: relayIds.alice, from: ids.alice, target: slotId, metadata: { ferryPairing: 1 } });
        const n = bridge?.bridge as number;
        await expectBridged(n);
        // The exchange really crossed the relay: Alice's start reached Bob, Bob's reply reached Alice.
        expect(relayedTypes(n, 'caller')).toContain('pair-start');
        expect(relayedTypes(n, 'callee')).toContain('pair-reply');
        // Both sides hang up; the relay drops both legs before the next attempt.
        await until(`bridge ${n} to close`, () => relayEvents.find((e) => e.event === 'closed' && e.bridge === n), 10_000);
      }
      for (const side of Side) {
        expect(await successes(pages[side].page)).toEqual([]);
        expect(trusted(side)).toEqual([]);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`, { cause: error });
    }
  });

  it('a relay that withholds the last pairing message: both sides still end, in words, with nothing stored', async () => {
    try {
      await command(relay, { cmd: 'drop', type: 'pair-fail' });
      const { code, slotId } = await showCode();
      await command(relay, { cmd: 'target', via: relayIds.alice, target: slotId });
      await command(proxy, { cmd: 'route', victim: ids.alice, target: slotId, via: relayIds.alice });
      await enterCode(code);
      // Bob (showing the code) never hears that Alice saw a wrong confirmation: he must not wait 10 minutes.
      await waitForText(pairingStatus('bob'), /stopped answering|hung up/, 30_000);
      await waitForText(pairingStatus('alice'), /didn’t match|stopped answering|hung up/, 30_000);
      expect(relayEvents.some((e) => e.event === 'dropped' && e.type === 'pair-fail')).toBe(true);
      for (const side of Side) expect(trusted(side)).toEqual([]);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`, { cause: error });
    } finally {
      await command(relay, { cmd: 'drop', type: null });
    }
  });

  it('a code transfer through the relay fails on both sides, in words, and nothing is written', async () => {
    try {
      const before = lastBridge();
      const codePanel = (side: Side) => pages[side].page.getByRole('region', { name: 'Send or receive with a code' });
      const file = join(root, 'for-alice.bin');
      writeFileSync(file, randomBytes(50_000));
      const registeredBefore = proxyEvents.length;
      await codePanel('bob').getByLabel('Files to send with a code').setInputFiles(file);
      const code = await waitForText(codePanel('bob').getByRole('status', { name: 'Transfer code' }), /^\d{3}-[a-z]+-[a-z]+$/);
      const slotId = pairingPeerId(Number(code.split('-')[0]));
      await until('the code’s slot to register', () => proxyEvents.slice(registeredBefore).find((e) => e.event === 'registered' && e.id === slotId), 10_000);
      await command(relay, { cmd: 'target', via: relayIds.alice, target: slotId });
      await command(proxy, { cmd: 'route', victim: ids.alice, target: slotId, via: relayIds.alice });
      await codePanel('alice').getByRole('textbox', { name: 'Code from the sender' }).fill(code);
      await codePanel('alice').getByRole('button', { name: 'Receive', exact: true }).click();
      for (const side of Side) await waitForText(codePanel(side).getByRole('status', { name: 'Code transfer status' }), /code didn’t match/, 30_000);
      const [bridge] = bridges(before);
      const n = bridge?.bridge as number;
      await expectBridged(n);
      expect(relayedTypes(n, 'caller')).toContain('pair-start');
      expect(relayedTypes(n, 'callee')).toContain('pair-reply');
      for (const side of Side) {
        expect(readdirSync(downloads(side))).toEqual([]);
        expect(trusted(side)).toEqual([]);
      }
      await until(`bridge ${n} to close`, () => relayEvents.find((e) => e.event === 'closed' && e.bridge === n), 10_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`, { cause: error });
    }
  });

  it('a session between paired devices through the relay fails on both sides, in words', async () => {
    try {
      // Pair honestly first: the proxy is transparent, the relay sees nothing.
      await command(proxy, { cmd: 'clear' });
      const before = lastBridge();
      const { code } = await showCode();
      await enterCode(code);
      await waitForText(pairingStatus('alice'), /^Paired with Bob\./, 20_000);
      await waitForText(pairingStatus('bob'), /^Paired with Alice\./, 20_000);
      await expect.poll(() => trusted('alice').map((d) => d.peerId), { timeout: 10_000 }).toEqual([ids.bob]);
      await expect.poll(() => trusted('bob').map((d) => d.peerId), { timeout: 10_000 }).toEqual([ids.alice]);
      expect(bridges(before)).toEqual([]);

      // Switch the attack on: each one's dial of the other reaches the relay, whose dial of the
      // other comes from its own id rewritten to look like the one they paired with.
      await command(relay, { cmd: 'target', via: relayIds.alice, target: ids.bob });
      await command(relay, { cmd: 'target', via: relayIds.bob, target: ids.alice });
      await command(proxy, { cmd: 'route', victim: ids.alice, target: ids.bob, via: relayIds.alice });
      await command(proxy, { cmd: 'route', victim: ids.bob, target: ids.alice, via: relayIds.bob });
      // A fresh start of both apps: any session opened honestly meanwhile (by hand or by an app
      // that dials paired devices itself) is gone, and every new one is routed through the relay.
      for (const side of Side) {
        await pages[side].context.close();
        await pages[side].main.stop();
      }
      await Promise.all(Side.map((side) => startApp(side)));
      await pages.alice.page.getByRole('textbox', { name: 'Device id to connect to' }).fill(ids.bob);
      await pages.alice.page.getByRole('button', { name: 'Connect', exact: true }).click();

      // Each side refuses the session with words; by the id it believes it is talking to.
      const names = { alice: `(Bob|${ids.bob})`, bob: `(Alice|${ids.alice})` };
      for (const side of Side) {
        const conversation = pages[side].page.getByRole('article', { name: new RegExp(`^Device ${names[side]}$`) });
        await waitForText(conversation.getByRole('status', { name: new RegExp(`^Connection to ${names[side]}$`) }), /^Connection failed$/, 25_000);
        await waitForText(conversation.getByRole('alert'), /proof of identity is wrong: this connection may be intercepted/, 5_000);
      }
      // The app may dial again (or both may dial at once): every bridge that opened is checked.
      const opened = bridges(before).filter((b) => relayEvents.some((e) => e.event === 'bridged' && e.bridge === b.bridge));
      expect(opened.length).toBeGreaterThan(0);
      for (const bridge of opened) {
        const n = bridge.bridge as number;
        await expectBridged(n);
        // Both identities and both proofs crossed the relay, and still neither side was fooled.
        for (const from of ['caller', 'callee'] as const) expect(relayedTypes(n, from)).toEqual(expect.arrayContaining(['hello', 'auth-hello', 'auth-proof']));
      }
      expect(opened.map((b) => `${b.from as string}→${b.target as string}`)).toContain(`${ids.alice}→${ids.bob}`);
      for (const side of Side) expect(await successes(pages[side].page)).toEqual([]);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`, { cause: error });
    }
  });
});
