import crypto from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { AppError } from '../services/app-error';
import type { Metrics } from '../web/metrics';
import type { WebDeps } from './deps';
import { who } from './security/context';

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

// Metrics name tasks' run counts, runners and routes: for METRICS_TOKEN, an admin, or anyone with METRICS_PUBLIC.
function checkScraper(c: Context, deps: WebDeps): void {
  const { metricsToken, metricsPublic } = deps.cfg;
  if (metricsPublic || (metricsToken && tokenMatches(c.req.header('authorization'), metricsToken))) return;
  const principal = who(c).principal;
  if (principal?.role === 'admin') return;
  if (principal) throw new AppError(403, `metrics need the admin role (you are ${principal.role})`);
  throw new AppError(
    401,
    metricsToken ? 'metrics need the METRICS_TOKEN bearer token or an admin' : 'metrics need an admin (sign in or send an admin API token)',
  );
}

/**
 * GET /metrics in Prometheus format, for `Authorization: Bearer METRICS_TOKEN` or an admin (session or
 * API token); for anyone when METRICS_PUBLIC is set.
 */
export function metricsRoutes(deps: WebDeps, metrics: Metrics): Hono {
  return new Hono().get('/metrics', async (c) => {
    checkScraper(c, deps);
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
}
