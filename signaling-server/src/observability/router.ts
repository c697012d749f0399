import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { requireToken } from './auth.js';
import { DASHBOARD_HTML } from './dashboard/page.js';
import { DASHBOARD_SCRIPT } from './dashboard/script.js';
import { DASHBOARD_CSS } from './dashboard/style.js';
import type { SseHub } from './sse-hub.js';

export interface StatusRouterParts {
  log: Logger;
  registry: Registry;
  hub: SseHub;
  token: string | undefined;
  /** The frames a new stream starts with, given the Last-Event-ID it sent (if any). */
  initialFrames(lastEventId: string | undefined): string[];
}

// The page's own policy, whatever the embedding server sends: nothing but same-origin files.
const PAGE_CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** GET /metrics, /status, /status/app.js, /status/app.css, /status/events. */
export function createStatusRouter(parts: StatusRouterParts): express.Router {
  const { log, registry, hub } = parts;
  // strict: "/status/" is not "/status", whose relative asset URLs would then resolve wrongly.
  const router = express.Router({ strict: true });
  const guard = requireToken(parts.token);

  router.get('/metrics', guard, (_req, res) => {
    registry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(text);
      },
      (error: unknown) => {
        log.warn({ err: String(error).slice(0, 200) }, 'collecting metrics failed');
        res.status(500).type('text/plain').send('Collecting metrics failed.\n');
      },
    );
  });

  router.get('/status', guard, (_req, res) => {
    asset(res, 'text/html; charset=utf-8', DASHBOARD_HTML);
  });
  router.get('/status/', guard, (_req, res) => res.redirect(302, '../status'));
  router.get('/status/app.js', guard, (_req, res) => {
    asset(res, 'text/javascript; charset=utf-8', DASHBOARD_SCRIPT);
  });
  router.get('/status/app.css', guard, (_req, res) => {
    asset(res, 'text/css; charset=utf-8', DASHBOARD_CSS);
  });

  router.get('/status/events', guard, (req: Request, res: Response) => {
    if (hub.full) {
      res.setHeader('Retry-After', '10');
      res.status(503).type('text/plain').send('Too many status streams are open; try again later.\n');
      return;
    }
    // The header is what EventSource sends when it reconnects; the query parameter is for the
    // dashboard's own reconnect after EventSource gave up (see dashboard/script.ts).
    const header = req.get('Last-Event-ID');
    const query = typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined;
    const lastEventId = (header ?? query)?.slice(0, 64);
    hub.open(res, parts.initialFrames(lastEventId));
    log.debug({ clients: hub.size, resumed: lastEventId !== undefined }, 'status stream opened');
  });

  return router;
}

function asset(res: Response, type: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}
