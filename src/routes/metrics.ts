import crypto from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Metrics } from '../web/metrics';
import type { WebDeps } from './deps';

/** Times every request by its route pattern (not its path, which would make a label per run id). */
export function timeRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now();
    await next();
    metrics.observeRequest(c.req.method, c.req.routePath, c.res.status, (performance.now() - t0) / 1000);
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

/** GET /metrics in Prometheus format; with METRICS_TOKEN set it needs `Authorization: Bearer METRICS_TOKEN`. */
export function metricsRoutes(deps: WebDeps, metrics: Metrics): Hono {
  return new Hono().get('/metrics', async (c) => {
    if (deps.cfg.metricsToken && !tokenMatches(c.req.header('authorization'), deps.cfg.metricsToken)) {
      return c.json({ error: 'metrics need the METRICS_TOKEN bearer token' }, 401);
    }
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
}
