/*
 * npm run bench:pair -- [--runs 20] [--json FILE]
 *
 * In the lab (two Chromium hosts with main's real services, a signaling host): Bob shows a
 * pairing code, Alice's "Pair" is clicked, and the clock (in Alice's page, no polling) stops
 * when her conversation with Bob is open — paired by CPace, stored by main, dialled, and
 * authenticated by both identity keys. Then both unpair, and again. Prints p50/p95 (targets:
 * ≤ 1.0 s and ≤ 2.0 s) and, for the breakdown, when "Paired with Bob" appeared.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/lab/chromium.js';
import { type FerryPage, openFerryPage } from '../e2e/lab/ferry-page.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { waitForText } from '../e2e/support/wait.js';

interface Run {
  /** Click on "Pair" → "Paired with Bob" on Alice's screen. */
  pairedMs: number;
  /** Click on "Pair" → the authenticated conversation with Bob is open on Alice's screen. */
  authenticatedMs: number;
}

/** Runs in Alice's page: clicks Pair and times the two moments with a MutationObserver. */
function clickPairAndTime(peerName: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The pairing form's submit button ("Pair"), found from its code field.
    const field = Array.from(document.querySelectorAll('input')).find((i) => i.labels?.[0]?.textContent === 'Code from the other device');
    const button = field?.form?.querySelector<HTMLButtonElement>('button[type=submit]');
    if (!button) return reject(new Error('no Pair button'));
    let pairedMs: number | undefined;
    const started = performance.now();
    const check = () => {
      const status = document.querySelector('[aria-label="Pairing status"]')?.textContent ?? '';
      if (pairedMs === undefined && status.startsWith(`Paired with ${peerName}.`)) pairedMs = performance.now() - started;
      if (/didn’t match|No device|could not|failed/i.test(status)) finish(new Error(status));
      const connection = document.querySelector(`[aria-label="Connection to ${peerName}"]`)?.textContent;
      if (pairedMs !== undefined && connection === 'Connected') finish(undefined, { pairedMs, authenticatedMs: performance.now() - started });
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => finish(new Error('no authenticated connection within 20 s')), 20_000);
    function finish(error: Error | undefined, run?: Run) {
      observer.disconnect();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(run as Run);
    }
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    button.click();
  });
}

async function unpair(page: Page, name: string): Promise<void> {
  const item = page.getByRole('listitem', { name: `Paired device ${name}` });
  await item.getByRole('button', { name: `Unpair ${name}` }).click();
  await item.getByRole('button', { name: 'Unpair', exact: true }).click();
  await item.waitFor({ state: 'detached', timeout: 10_000 });
}

/** Nearest-rank percentile, in whole milliseconds. */
function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, json: { type: 'string' } } });
  const runs = Number(values.runs);
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-pair-'));
  const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  const browsers: Browser[] = [];
  const deadline = setTimeout(() => {
    console.error('benchmark took longer than 10 minutes; stopping');
    process.exit(1);
  }, 10 * 60 * 1000);
  try {
    const signal = await startSignalHost(lab.host('signal'));
    const [a, b] = await Promise.all([launchChromium(lab.host('alice')), launchChromium(lab.host('bob'))]);
    browsers.push(a, b);
    const open = (browser: Browser, host: 'alice' | 'bob', deviceName: string): Promise<FerryPage> =>
      openFerryPage(browser, lab.host(host), { deviceName, signalingUrl: signal.url, settingsFile: join(root, `${host}.json`), downloadDir: join(root, host) });
    const [alice, bob] = await Promise.all([open(a, 'alice', 'Alice'), open(b, 'bob', 'Bob')]);
    for (const side of [alice, bob]) await waitForText(side.page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/, 30_000);
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      await bob.page.getByRole('button', { name: 'Show a pairing code' }).click();
      const code = await waitForText(bob.page.getByRole('status', { name: 'Pairing code' }), /^\d{3}-[a-z]+-[a-z]+$/);
      await alice.page.getByRole('textbox', { name: 'Code from the other device' }).fill(code);
      const run = await alice.page.evaluate(clickPairAndTime, 'Bob');
      results.push(run);
      console.log(`run ${i + 1}: paired ${run.pairedMs.toFixed(0)} ms, authenticated connection ${run.authenticatedMs.toFixed(0)} ms`);
      await waitForText(bob.page.getByRole('status', { name: 'Presence of Alice' }), /^Online$/, 20_000);
      // Unpair both sides: the next run starts from strangers again.
      await unpair(alice.page, 'Bob');
      await unpair(bob.page, 'Alice');
    }
    const sorted = (key: keyof Run) => results.map((r) => r[key]).sort((x, y) => x - y);
    const summary = {
      runs,
      authenticated: { p50Ms: percentile(sorted('authenticatedMs'), 50), p95Ms: percentile(sorted('authenticatedMs'), 95) },
      paired: { p50Ms: percentile(sorted('pairedMs'), 50), p95Ms: percentile(sorted('pairedMs'), 95) },
      targets: { p50Ms: 1000, p95Ms: 2000 },
      results,
    };
    console.table({ 'code entered → authenticated channel open': summary.authenticated, 'code entered → paired': summary.paired });
    if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    clearTimeout(deadline);
    await Promise.all(browsers.map((x) => x.close().catch(() => {})));
    await lab.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
