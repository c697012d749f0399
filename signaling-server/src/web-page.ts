import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/**
 * The browser page (built from src-web into out/web) as the package ships it beside this server:
 * dist/ → ../../out/web. Undefined when it was not built.
 */
export function bundledWebPage(): string | undefined {
  return webPageAt(fileURLToPath(new URL('../../out/web/', import.meta.url)));
}

/** `dir` if it holds a built page (an index.html), else undefined. */
export function webPageAt(dir: string): string | undefined {
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * The page's policy: its own scripts (and WebAssembly, for block digests), its own server for
 * signaling, nothing from anywhere else; never framed, never a referrer.
 */
export const WEB_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': WEB_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

/** Serves the page at / (index.html, its assets, its service worker), with its security headers. */
export function webPageRouter(dir: string): express.Router {
  const router = express.Router();
  router.use(
    express.static(dir, {
      index: 'index.html',
      fallthrough: true,
      dotfiles: 'ignore',
      setHeaders: (res, path) => {
        for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
        // The page and its worker are looked at again on each visit; hashed assets may be kept.
        res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
