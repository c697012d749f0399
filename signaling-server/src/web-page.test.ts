import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SignalingServer, startSignalingServer } from './server.js';
import { WEB_PAGE_CSP, webPageAt } from './web-page.js';

describe('the browser page (--web-page)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-page-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Ferry</title>');
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1);');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  const servers: SignalingServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (webPage?: string) => {
    const server = await startSignalingServer({ host: '127.0.0.1', port: 0, ...(webPage ? { webPage } : {}) });
    servers.push(server);
    return server;
  };

  it('is served at / with its policy: own scripts and server only, never framed, no referrer', async () => {
    const server = await start(dir);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Ferry</title>');
    expect(page.headers.get('content-security-policy')).toBe(WEB_PAGE_CSP);
    expect(WEB_PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_PAGE_CSP).toContain("connect-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const worker = await fetch(new URL('sw.js', server.url));
    expect(worker.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(new URL('assets/index-abc.js', server.url))).headers.get('cache-control')).toContain('immutable');
    // The signaling server's own routes are still its own.
    expect((await fetch(new URL('health', server.url))).status).toBe(200);
  });

  it('serves nothing outside its folder and no dotfiles', async () => {
    const server = await start(dir);
    expect((await fetch(new URL('.env', server.url))).status).toBe(404);
    expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('is off unless asked for', async () => {
    const server = await start();
    expect((await fetch(server.url)).headers.get('content-security-policy')).toBeNull();
    expect(webPageAt(join(dir, 'assets'))).toBeUndefined();
    expect(webPageAt(dir)).toBe(dir);
  });
});
