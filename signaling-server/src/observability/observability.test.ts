import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createObservability, type ObservabilityOptions, REFUSAL_REASONS } from './index.js';

/*
 * The observability router in a real express app on a real port, read by real HTTP clients:
 * Prometheus text parsed line by line, the event stream parsed as EventSource would.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Partial<ObservabilityOptions> = {}, serverOptions: http.ServerOptions = {}) {
  const obs = createObservability({ log: pino({ level: 'silent' }), flushIntervalMs: 20, ...options });
  const app = express();
  app.use(obs.router);
  const server = http.createServer(serverOptions, app);
  // As the signaling server sets them (server.ts): streams must outlive both.
  server.headersTimeout = 10_000;
  server.requestTimeout = serverOptions.requestTimeout ?? 15_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    obs.close();
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return { obs, base };
}

/** Prometheus text exposition → { 'name{labels}': value }. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    values.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return values;
}

async function scrape(base: string): Promise<Map<string, number>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A minimal EventSource over node:http: every field kept, so tests can check ids and retry. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  private buffer = '';
  private field: { id?: string; event?: string; data: string[] } = { data: [] };

  private constructor(private readonly req: http.ClientRequest, readonly res: http.IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.feed(chunk));
    res.on('end', () => (this.ended = true));
    res.on('error', () => (this.ended = true));
    res.on('close', () => (this.ended = true));
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } });
    const [res] = (await once(req, 'response')) as [http.IncomingMessage];
    const client = new SseClient(req, res);
    cleanups.push(() => client.close());
    return client;
  }

  get ids(): string[] {
    return this.events.map((e) => e.id ?? '(none)');
  }

  json<T>(index: number): T {
    return JSON.parse(this.events[index]?.data ?? 'null') as T;
  }

  async until(check: (c: SseClient) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.field.data.length > 0) {
        this.events.push({ id: this.field.id, event: this.field.event ?? 'message', data: this.field.data.join('\n') });
      }
      this.field = { data: [] };
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') this.field.data.push(value);
    else if (name === 'id') this.field.id = value;
    else if (name === 'event') this.field.event = value;
    else if (name === 'retry') this.retry = Number(value);
  }
}

const seqOf = (id: string | undefined) => Number(id?.split('.')[1]);

describe('GET /metrics', () => {
  it('serves Prometheus text whose values follow the events', async () => {
    const { obs, base } = await start();
    const before = await scrape(base);
    expect(before.get('ferry_signal_peers_connected')).toBe(0);
    expect(before.get('ferry_signal_relayed_messages_total{type="offer"}')).toBe(0);
    expect(before.get('ferry_signal_refusals_total{reason="origin-not-allowed"}')).toBe(0);
    expect(before.get('ferry_signal_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(before.get('ferry_signal_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    for (const name of before.keys()) expect(name).toMatch(/^ferry_signal_/);

    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    obs.events.registered('ferry-bbbbbbbbbbbbbbbb');
    obs.events.registered('ferry-cccccccccccccccc');
    obs.events.left('ferry-bbbbbbbbbbbbbbbb', 'closed');
    obs.events.reconnected('ferry-aaaaaaaaaaaaaaaa');
    obs.events.relayed('OFFER', 2);
    obs.events.relayed('OFFER', 2);
    obs.events.relayed('CANDIDATE', 30);
    obs.events.relayed('SOMETHING-MADE-UP', 1);
    obs.events.refused('origin-not-allowed');
    obs.events.refused('a reason nobody listed');
    let m = await scrape(base);
    expect(m.get('ferry_signal_peers_connected')).toBe(2);
    expect(m.get('ferry_signal_registrations_total')).toBe(3);
    expect(m.get('ferry_signal_reconnects_total')).toBe(1);
    expect(m.get('ferry_signal_leaves_total{reason="closed"}')).toBe(1);
    expect(m.get('ferry_signal_relayed_messages_total{type="offer"}')).toBe(2);
    expect(m.get('ferry_signal_relayed_messages_total{type="candidate"}')).toBe(1);
    expect(m.get('ferry_signal_relayed_messages_total{type="other"}')).toBe(1);
    expect(m.get('ferry_signal_refusals_total{reason="origin-not-allowed"}')).toBe(1);
    expect(m.get('ferry_signal_refusals_total{reason="other"}')).toBe(1);
    expect(m.get('ferry_signal_relay_latency_seconds_count')).toBe(4);
    expect(m.get('ferry_signal_relay_latency_seconds_bucket{le="0.0025"}')).toBe(3);
    expect(m.get('ferry_signal_relay_latency_seconds_bucket{le="0.025"}')).toBe(3);
    expect(m.get('ferry_signal_relay_latency_seconds_bucket{le="0.05"}')).toBe(4);
    expect(m.get('ferry_signal_relay_latency_seconds_bucket{le="+Inf"}')).toBe(4);
    expect(m.get('ferry_signal_relay_latency_seconds_sum')).toBeCloseTo(0.035, 6);

    obs.events.left('ferry-aaaaaaaaaaaaaaaa', 'timeout');
    obs.events.left('ferry-cccccccccccccccc', 'closed');
    obs.events.registered('ferry-dddddddddddddddd');
    obs.events.queued('OFFER');
    obs.events.iceServed(true);
    obs.events.iceServed(false);
    obs.events.iceServed(false);
    m = await scrape(base);
    expect(m.get('ferry_signal_peers_connected')).toBe(1);
    expect(m.get('ferry_signal_registrations_total')).toBe(4);
    expect(m.get('ferry_signal_leaves_total{reason="closed"}')).toBe(2);
    expect(m.get('ferry_signal_leaves_total{reason="timeout"}')).toBe(1);
    expect(m.get('ferry_signal_queued_messages_total{type="offer"}')).toBe(1);
    expect(m.get('ferry_signal_ice_served_total{turn="yes"}')).toBe(1);
    expect(m.get('ferry_signal_ice_served_total{turn="no"}')).toBe(2);
  });

  it('keeps label values to the fixed sets however many made-up types arrive', async () => {
    const { obs, base } = await start();
    for (let i = 0; i < 500; i++) {
      obs.events.relayed(`TYPE-${i}`, 1);
      obs.events.queued(`TYPE-${i}`);
      obs.events.refused(`reason-${i}`);
      obs.events.left(`ferry-${i}`, `reason-${i}`);
    }
    const names = [...(await scrape(base)).keys()];
    expect(names.filter((n) => n.startsWith('ferry_signal_relayed_messages_total{'))).toHaveLength(6);
    expect(names.filter((n) => n.startsWith('ferry_signal_queued_messages_total{'))).toHaveLength(6);
    expect(names.filter((n) => n.startsWith('ferry_signal_refusals_total{'))).toHaveLength(REFUSAL_REASONS.length);
    expect(names.filter((n) => n.startsWith('ferry_signal_leaves_total{'))).toHaveLength(4);
  });

  it('gives every server instance its own registry', async () => {
    const one = await start();
    const two = await start();
    one.obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    one.obs.events.relayed('OFFER', 1);
    expect((await scrape(one.base)).get('ferry_signal_registrations_total')).toBe(1);
    expect((await scrape(two.base)).get('ferry_signal_registrations_total')).toBe(0);
    expect((await scrape(two.base)).get('ferry_signal_relayed_messages_total{type="offer"}')).toBe(0);
    // Process metrics are shared, not re-created: both report them.
    expect((await scrape(two.base)).get('ferry_signal_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('reads the peer gauge from the server’s own count when given one', async () => {
    let peers = 7;
    const { base } = await start({ connectedPeers: () => peers });
    expect((await scrape(base)).get('ferry_signal_peers_connected')).toBe(7);
    peers = 3;
    expect((await scrape(base)).get('ferry_signal_peers_connected')).toBe(3);
  });
});

describe('GET /status/events', () => {
  it('starts with retry and a snapshot, then streams aggregated events, each with an id', async () => {
    const { obs, base } = await start();
    const sse = await SseClient.open(`${base}/status/events`);
    expect(sse.res.statusCode).toBe(200);
    expect(sse.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sse.res.headers['cache-control']).toContain('no-transform');
    await sse.until((c) => c.events.length >= 1, 'the snapshot');
    expect(sse.retry).toBe(2000);
    expect(sse.events[0]).toMatchObject({ event: 'reset' });
    expect(sse.events[0]?.id).toMatch(/^[0-9a-f]{8}\.0$/);
    expect(sse.json(0)).toMatchObject({ peers: 0, registrations: 0, showsPeerIds: true });

    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    obs.events.registered('ferry-bbbbbbbbbbbbbbbb');
    for (let i = 0; i < 100; i++) obs.events.relayed('CANDIDATE', 1);
    obs.events.refused('rate-limited');
    await sse.until((c) => c.events.length >= 4, 'peers, refusals and relay events');
    expect(sse.events.slice(1).map((e) => e.event)).toEqual(['peers', 'refusals', 'relay']);
    expect(sse.events.map((e) => seqOf(e.id))).toEqual([0, 1, 2, 3]);
    expect(sse.json(1)).toMatchObject({ peers: 2, registered: 2, left: 0 });
    expect(sse.json(2)).toMatchObject({ counts: { 'rate-limited': 1 }, total: 1 });
    expect(sse.json(3)).toMatchObject({ counts: { candidate: 100 }, total: 100 });
    // 100 relayed messages became one event, not 100.
    expect(sse.events).toHaveLength(4);
  });

  it('replays exactly the missed events, in order, to a client that reconnects with Last-Event-ID', async () => {
    const { obs, base } = await start();
    const watcher = await SseClient.open(`${base}/status/events`);
    const dropped = await SseClient.open(`${base}/status/events`);
    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    await dropped.until((c) => c.events.length >= 2, 'the first event');
    const lastSeen = dropped.events.at(-1)?.id ?? '';
    dropped.close();

    // Several flush intervals' worth while it is away.
    for (let round = 0; round < 5; round++) {
      obs.events.registered(`ferry-round-${round}-aaaaaaaa`);
      obs.events.relayed('OFFER', 1);
      const seen = watcher.events.length;
      await watcher.until((c) => c.events.length > seen, `round ${round}`);
    }
    const missed = watcher.events.filter((e) => seqOf(e.id) > seqOf(lastSeen));
    expect(missed.length).toBeGreaterThanOrEqual(5);

    const resumed = await SseClient.open(`${base}/status/events`, { 'Last-Event-ID': lastSeen });
    await resumed.until((c) => c.events.length >= missed.length, 'the replay');
    expect(resumed.events).toEqual(missed);

    // And it stays live afterwards, continuing the same sequence.
    obs.events.left('ferry-aaaaaaaaaaaaaaaa');
    await resumed.until((c) => c.events.length > missed.length, 'a live event after the replay');
    expect(seqOf(resumed.events.at(-1)?.id)).toBe(seqOf(missed.at(-1)?.id) + 1);

    // The dashboard's own fallback (after EventSource gave up) passes the id in the query.
    const viaQuery = await SseClient.open(`${base}/status/events?lastEventId=${encodeURIComponent(lastSeen)}`);
    await viaQuery.until((c) => c.events.length >= missed.length + 1, 'the replay via query');
    expect(viaQuery.events.slice(0, missed.length)).toEqual(missed);
  });

  it('sends a snapshot instead when the id is older than the history, or from another instance', async () => {
    const { obs, base } = await start({ historySize: 3 });
    const first = await SseClient.open(`${base}/status/events`);
    await first.until((c) => c.events.length >= 1, 'the snapshot');
    const epochId = first.events[0]?.id ?? '';
    for (let i = 0; i < 6; i++) {
      obs.events.registered(`ferry-peer-${i}-aaaaaaaaaa`);
      await first.until((c) => c.events.length >= i + 2, `event ${i + 1}`);
    }
    first.close();

    const stale = await SseClient.open(`${base}/status/events`, { 'Last-Event-ID': epochId });
    await stale.until((c) => c.events.length >= 1, 'a reset');
    expect(stale.events).toHaveLength(1);
    expect(stale.events[0]).toMatchObject({ event: 'reset' });
    expect(seqOf(stale.events[0]?.id)).toBe(6);
    expect(stale.json(0)).toMatchObject({ peers: 6, registrations: 6 });

    const foreign = await SseClient.open(`${base}/status/events`, { 'Last-Event-ID': 'abcdef01.5' });
    await foreign.until((c) => c.events.length >= 1, 'a reset');
    expect(foreign.events[0]).toMatchObject({ event: 'reset' });

    // Still within history: a replay, not a reset.
    const recent = await SseClient.open(`${base}/status/events`, { 'Last-Event-ID': first.events[3]?.id ?? '' });
    await recent.until((c) => c.events.length >= 3, 'the replay');
    expect(recent.events.map((e) => e.event)).toEqual(['peers', 'peers', 'peers']);
    expect(recent.events.map((e) => seqOf(e.id))).toEqual([4, 5, 6]);
  });

  it('refuses streams beyond the cap with 503 and Retry-After, and admits one again after a close', async () => {
    const { base } = await start({ maxStatusClients: 2 });
    const a = await SseClient.open(`${base}/status/events`);
    await SseClient.open(`${base}/status/events`);
    const refused = await fetch(`${base}/status/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    await refused.text();

    const gauge = async () => (await scrape(base)).get('ferry_signal_status_clients');
    expect(await gauge()).toBe(2);
    a.close();
    const deadline = Date.now() + 5000;
    while ((await gauge()) !== 1) {
      if (Date.now() > deadline) throw new Error('the server did not notice the closed stream');
      await new Promise((r) => setTimeout(r, 20));
    }
    const again = await SseClient.open(`${base}/status/events`);
    expect(again.res.statusCode).toBe(200);
  });

  it('sends heartbeat comments on idle streams', async () => {
    const { base } = await start({ heartbeatMs: 30 });
    const sse = await SseClient.open(`${base}/status/events`);
    await sse.until((c) => c.comments.length >= 2, 'two heartbeats');
    expect(sse.comments[0]).toBe('heartbeat');
    expect(sse.events).toHaveLength(1);
  });

  it('keeps streams open past the server’s request timeout', async () => {
    // Node checks request timeouts every connectionsCheckingInterval; both shortened here.
    const { obs, base } = await start({}, { requestTimeout: 200, connectionsCheckingInterval: 50 });
    const sse = await SseClient.open(`${base}/status/events`);
    await new Promise((r) => setTimeout(r, 800));
    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    await sse.until((c) => c.events.length >= 2, 'an event after the timeout');
    expect(sse.ended).toBe(false);
  });

  it('ends every stream on close(), publishing what was pending, and refuses new ones', async () => {
    const { obs, base } = await start({ flushIntervalMs: 60_000 });
    const a = await SseClient.open(`${base}/status/events`);
    const b = await SseClient.open(`${base}/status/events`);
    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    obs.close();
    await a.until((c) => c.ended, 'the stream to end');
    await b.until((c) => c.ended, 'the stream to end');
    expect(a.events.map((e) => e.event)).toEqual(['reset', 'peers']);
    expect((await fetch(`${base}/status/events`)).status).toBe(503);
    obs.close(); // twice is fine
  });
});

describe('the dashboard files', () => {
  it('serves the page, script and style as separate files under a strict CSP', async () => {
    const { base } = await start();
    const page = await fetch(`${base}/status`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="status/app.js" defer></script>');
    expect(html).not.toMatch(/<script>|<style>|\sstyle=|\son\w+=/);
    const script = await fetch(`${base}/status/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('new EventSource');
    expect((await fetch(`${base}/status/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const slash = await fetch(`${base}/status/`, { redirect: 'manual' });
    expect(slash.status).toBe(302);
    expect(new URL(slash.headers.get('location') ?? '', `${base}/status/`).pathname).toBe('/status');
  });

  it('serves no peer id and no token anywhere', async () => {
    const token = 'operator-token-5f1d8c';
    const auth = { Authorization: `Bearer ${token}` };
    const { obs, base } = await start({ token });
    const sse = await SseClient.open(`${base}/status/events`, auth);
    const ids = ['ferry-secretpeer0000001', 'ferry-secretpeer0000002'];
    for (const id of ids) obs.events.registered(id);
    obs.events.reconnected(ids[0] ?? '');
    obs.events.left(ids[1] ?? '');
    await sse.until((c) => c.events.length >= 2, 'the peers event');
    const late = await SseClient.open(`${base}/status/events`, auth);
    await late.until((c) => c.events.length >= 1, 'the snapshot');
    const served = [
      JSON.stringify(sse.events),
      JSON.stringify(late.events),
      ...(await Promise.all(
        ['/metrics', '/status', '/status/app.js', '/status/app.css'].map(async (p) =>
          (await fetch(`${base}${p}`, { headers: auth })).text(),
        ),
      )),
    ].join('\n');
    expect(served).not.toContain('secretpeer');
    expect(served).not.toContain(token);
    // Hashes stand in for the ids: 8 hex characters, the same for the same peer.
    const peers = sse.json<{ ids: { registered: string[]; reconnected: string[]; left: string[] } }>(1);
    expect(peers.ids.registered).toHaveLength(2);
    for (const hash of peers.ids.registered) expect(hash).toMatch(/^[0-9a-f]{8}$/);
    expect(peers.ids.reconnected).toEqual([peers.ids.registered[0]]);
    expect(peers.ids.left).toEqual([peers.ids.registered[1]]);
  });

  it('shows counts only when told not to show peers at all', async () => {
    const { obs, base } = await start({ peerIds: 'none' });
    const sse = await SseClient.open(`${base}/status/events`);
    obs.events.registered('ferry-aaaaaaaaaaaaaaaa');
    await sse.until((c) => c.events.length >= 2, 'the peers event');
    expect(sse.json(0)).toMatchObject({ showsPeerIds: false });
    expect(sse.json(1)).toEqual({ t: expect.any(Number), peers: 1, registered: 1, reconnected: 0, left: 0 });
  });
});

describe('the operator token', () => {
  it('guards every route; Bearer for scrapers, Basic (token as password) for browsers', async () => {
    const token = 'operator-token-5f1d8c';
    const { base } = await start({ token });
    for (const path of ['/metrics', '/status', '/status/app.js', '/status/app.css', '/status/events']) {
      const none = await fetch(`${base}${path}`);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('www-authenticate'), path).toMatch(/^Basic realm=/);
      await none.text();
      const wrong = await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer operator-token-5f1d8' } });
      expect(wrong.status, path).toBe(401);
      await wrong.text();
    }
    const bearer = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(200);
    await bearer.text();
    const basic = `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}`;
    const page = await fetch(`${base}/status`, { headers: { Authorization: basic } });
    expect(page.status).toBe(200);
    await page.text();
    const stream = await SseClient.open(`${base}/status/events`, { Authorization: basic });
    expect(stream.res.statusCode).toBe(200);
  });

  it('leaves the routes open when no token is set', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('is not an empty string', () => {
    expect(() => createObservability({ log: pino({ level: 'silent' }), token: '' })).toThrow(RangeError);
  });
});
