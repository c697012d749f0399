import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import express from 'express';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createObservability,
  type Observability,
  type ObservabilityOptions,
} from '../signaling-server/src/observability/index.js';
import { launchChromium } from './lab/chromium.js';
import { Lab } from './lab/lab.js';
import { waitForText } from './support/wait.js';

/*
 * The /status dashboard in Debian's Chromium, on loopback. The browser reaches the server
 * through a small TCP proxy that the test kills and restarts: that is the dropped connection.
 * While it is down the test drives more events; after it comes back the browser must have
 * resumed with Last-Event-ID (seen by the proxy on the wire) and must show every event it
 * missed, in order, without a gap.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startBackend(options: Partial<ObservabilityOptions> = {}) {
  const obs = createObservability({ log: pino({ level: 'silent' }), flushIntervalMs: 100, retryMs: 300, ...options });
  const app = express();
  app.use(obs.router);
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    obs.close();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return { obs, port: (server.address() as AddressInfo).port };
}

/** A TCP proxy on a fixed port that can be cut (every connection dropped) and brought back. */
class CuttableProxy {
  /** The first bytes of every request that came through: where Last-Event-ID shows. */
  readonly requests: string[] = [];
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      // Every request, not just a connection's first: browsers reuse kept-alive connections.
      client.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        if (/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) this.requests.push(text);
      });
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = once(server, 'close');
    server.close();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Requests for the event stream, as their request line plus Last-Event-ID header, if any. */
  streamRequests(): Array<{ line: string; lastEventId: string | undefined }> {
    return this.requests
      .filter((r) => r.startsWith('GET /status/events'))
      .map((r) => ({
        line: r.slice(0, r.indexOf('\r\n')),
        lastEventId: /\r\nLast-Event-ID: ([^\r]*)\r\n/i.exec(r)?.[1],
      }));
  }
}

/** Every event id the server sends, read straight from the backend: the ground truth. */
async function watchIds(port: number): Promise<{ ids: string[]; types: string[] }> {
  const seen = { ids: [] as string[], types: [] as string[] };
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/status/events`, { signal: abort.signal });
  if (!res.body) throw new Error('no event stream');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const type = /^event: (.*)$/m.exec(block)?.[1];
        // The watcher's own opening snapshot is not an event the server published.
        if (id !== undefined && type !== undefined && type !== 'reset') {
          seen.ids.push(id);
          seen.types.push(type);
        }
      }
    }
  })();
  cleanups.push(() => abort.abort());
  return seen;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The dashboard's event log, oldest first. */
async function logEntries(page: Page): Promise<Array<{ id: string; seq: number; type: string }>> {
  const entries = await page.locator('#log li').evaluateAll((items) =>
    items.map((li) => ({
      id: li.getAttribute('data-id') ?? '',
      seq: Number(li.getAttribute('data-seq')),
      type: li.getAttribute('data-type') ?? '',
    })),
  );
  return entries.reverse();
}

async function openDashboard(browser: Browser, url: string, credentials?: { username: string; password: string }) {
  const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
  cleanups.push(() => context.close().catch(() => {}));
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(url, { timeout: 15_000 });
  return { page, violations, status: response?.status() };
}

/** One round of activity: a registration, some relaying, a refusal. */
function driveRound(obs: Observability, round: number): void {
  obs.events.registered(`ferry-round-${round}-aaaaaaaaaa`);
  for (let i = 0; i < 10; i++) obs.events.relayed(i % 2 ? 'OFFER' : 'CANDIDATE', 1);
  obs.events.refused('rate-limited');
}

describe('signaling status dashboard', () => {
  let lab: Lab;
  let browser: Browser;

  beforeAll(async () => {
    lab = Lab.create({ hosts: ['dash'], hostNetwork: true });
    browser = await launchChromium(lab.host('dash'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await lab?.dispose();
  });

  it('updates live, says reconnecting when cut, and catches up on every missed event', async () => {
    const { obs, port } = await startBackend();
    const truth = await watchIds(port);
    const proxy = new CuttableProxy(port);
    await proxy.up();
    cleanups.push(() => proxy.cut());

    const { page, violations } = await openDashboard(browser, `http://127.0.0.1:${proxy.port}/status`);
    await waitForText(page.locator('#connection'), /^live$/);
    await waitForText(page.locator('#peers'), /^0$/);

    for (let round = 0; round < 3; round++) driveRound(obs, round);
    await waitForText(page.locator('#registrations'), /^3$/);
    await waitForText(page.locator('#peers'), /^3$/);
    await waitForText(page.locator('#relayed'), /^30$/);
    await waitForText(page.locator('#refusals'), /^3$/);
    const beforeCut = truth.ids.length;

    await proxy.cut();
    await waitForText(page.locator('#connection'), /^reconnecting…$/);
    // Several flush intervals of activity while the browser cannot connect.
    for (let round = 3; round < 8; round++) {
      driveRound(obs, round);
      const seen = truth.ids.length;
      await until(() => truth.ids.length > seen, `round ${round} to be published`);
    }
    obs.events.left('ferry-round-0-aaaaaaaaaa');
    await until(() => truth.types.at(-1) === 'peers', 'the leave to be published');
    const missed = truth.ids.slice(beforeCut);
    expect(missed.length).toBeGreaterThanOrEqual(11);

    await proxy.up();
    await waitForText(page.locator('#connection'), /^live$/);
    await waitForText(page.locator('#registrations'), /^8$/);
    await waitForText(page.locator('#peers'), /^7$/);
    await waitForText(page.locator('#leaves'), /^1$/);
    await waitForText(page.locator('#relayed'), /^80$/);
    await waitForText(page.locator('#refusals'), /^8$/);

    // It resumed from the last event it had, and got the rest by replay, not by a new snapshot.
    const resumed = proxy.streamRequests().find((r) => r.lastEventId !== undefined);
    expect(resumed?.lastEventId).toBe(truth.ids[beforeCut - 1]);
    const log = await logEntries(page);
    expect(log[0]?.type).toBe('reset');
    expect(log.filter((e) => e.type === 'reset' || e.type === 'gap')).toHaveLength(1);
    expect(log.slice(1).map((e) => e.id)).toEqual(truth.ids);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
    expect(violations).toEqual([]);
  });

  it('falls back to a fresh snapshot when it was away longer than the history', async () => {
    const { obs, port } = await startBackend({ historySize: 3 });
    const truth = await watchIds(port);
    const proxy = new CuttableProxy(port);
    await proxy.up();
    cleanups.push(() => proxy.cut());
    const { page, violations } = await openDashboard(browser, `http://127.0.0.1:${proxy.port}/status`);
    await waitForText(page.locator('#connection'), /^live$/);
    driveRound(obs, 0);
    await waitForText(page.locator('#registrations'), /^1$/);

    await proxy.cut();
    await waitForText(page.locator('#connection'), /^reconnecting…$/);
    for (let round = 1; round < 6; round++) {
      driveRound(obs, round);
      const seen = truth.ids.length;
      await until(() => truth.ids.length > seen, `round ${round} to be published`);
    }
    await proxy.up();

    await waitForText(page.locator('#registrations'), /^6$/);
    await waitForText(page.locator('#relayed'), /^60$/);
    await waitForText(page.locator('#refusals'), /^6$/);
    await waitForText(page.locator('#connection'), /^live$/);
    expect(proxy.streamRequests().some((r) => r.lastEventId !== undefined)).toBe(true);
    const log = await logEntries(page);
    expect(log.at(-1)).toEqual({ type: 'reset', id: truth.ids.at(-1), seq: Number(truth.ids.at(-1)?.split('.')[1]) });
    expect(log.filter((e) => e.type === 'gap')).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('keeps trying after the server turns it away (stream cap) and resumes via ?lastEventId', async () => {
    const { obs, port } = await startBackend({ maxStatusClients: 1 });
    const proxy = new CuttableProxy(port);
    await proxy.up();
    cleanups.push(() => proxy.cut());
    const { page, violations } = await openDashboard(browser, `http://127.0.0.1:${proxy.port}/status`);
    await waitForText(page.locator('#connection'), /^live$/);
    driveRound(obs, 0);
    await waitForText(page.locator('#registrations'), /^1$/);

    // Cut, and let another dashboard take the only slot: the browser's reconnect gets a 503,
    // after which EventSource gives up and the page's own retry has to carry the id.
    await proxy.cut();
    const squatter = new AbortController();
    await until(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/status/events`, { signal: squatter.signal });
      if (res.status === 200) return true;
      await res.text();
      return false;
    }, 'the slot to free up');
    cleanups.push(() => squatter.abort());
    driveRound(obs, 1);
    driveRound(obs, 2);
    await proxy.up();
    await until(() => proxy.streamRequests().length >= 2, 'a refused reconnect').catch((e: Error) => {
      throw new Error(`${e.message}; requests: ${JSON.stringify(proxy.requests.map((r) => r.split('\r\n')[0]))}`);
    });
    await waitForText(page.locator('#connection'), /^reconnecting…$/);
    squatter.abort();

    await waitForText(page.locator('#registrations'), /^3$/, 30_000);
    await waitForText(page.locator('#connection'), /^live$/);
    expect(proxy.streamRequests().some((r) => /[?&]lastEventId=[0-9a-f]{8}\.\d+/.test(r.line))).toBe(true);
    const log = await logEntries(page);
    expect(log.filter((e) => e.type === 'reset' || e.type === 'gap')).toHaveLength(1);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
    expect(violations).toEqual([]);
  });

  it('asks for the operator token and works once the browser has it', async () => {
    const token = 'operator-token-5f1d8c';
    const { obs, port } = await startBackend({ token });
    // Without credentials Chromium meets the Basic challenge and (headless, nobody to ask)
    // abandons the navigation.
    await expect(openDashboard(browser, `http://127.0.0.1:${port}/status`)).rejects.toThrow(
      /ERR_INVALID_AUTH_CREDENTIALS/,
    );

    const { page, violations } = await openDashboard(browser, `http://127.0.0.1:${port}/status`, {
      username: 'operator',
      password: token,
    });
    await waitForText(page.locator('#connection'), /^live$/);
    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    await waitForText(page.locator('#registrations'), /^1$/);
    await waitForText(page.locator('#peers'), /^1$/);
    expect(violations).toEqual([]);
  });
});
