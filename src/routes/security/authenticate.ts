import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { roleAtLeast, type Role } from '../../auth/roles';
import { AppError } from '../../services/app-error';
import { principalFrom, SESSION_COOKIE } from '../../services/auth-service';
import type { WebDeps } from '../deps';
import { clientIp } from './client-ip';
import './context';

// Reachable without signing in: probes, metrics (the route itself takes METRICS_TOKEN or an admin),
// sign-in and setup, static assets, webhook calls (the secret in the path is their credential).
const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/login$/, /^\/setup$/, /^\/assets\//, /^\/hooks\/[^/]+$/];

/** Whether a path is for the JSON API (errors as JSON) or a page (redirects to sign-in). */
export const isApiPath = (path: string) => path.startsWith('/api/') || path === '/api';

/**
 * Finds the caller (bearer token, else session cookie) and refuses anonymous requests to everything
 * but the public paths: 401 for the API, a redirect to /login for a page.
 */
export function authenticate(deps: WebDeps): MiddlewareHandler {
  return async (c, next) => {
    const isPublic = PUBLIC.some((re) => re.test(c.req.path));
    const auth = c.req.header('authorization');
    const bearer = auth?.match(/^Bearer\s+(\S+)$/i)?.[1];
    // A public path may carry a bearer of its own (/metrics and METRICS_TOKEN): not ours to judge.
    if (auth && !bearer && !isPublic) throw new AppError(401, 'Authorization must be "Bearer TOKEN"');
    const principal = await principalFrom(deps, bearer, bearer ? undefined : getCookie(c, SESSION_COOKIE)).catch((err) => {
      // The probes must answer (503) while the database is away; anything else cannot be authorised.
      if (isPublic) return undefined;
      deps.log.warn({ err }, 'authentication failed: database not reachable');
      throw new AppError(503, 'database not reachable; try again shortly');
    });
    if (bearer && !principal && !isPublic) throw new AppError(401, 'unknown or revoked API token');
    c.set('who', { principal, ip: clientIp(c, deps.cfg.trustProxy) });
    if (principal || isPublic) return next();
    if (!isApiPath(c.req.path) && c.req.method === 'GET' && !c.req.header('hx-request')) {
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 303);
    }
    throw new AppError(401, 'sign in or send an API token');
  };
}

/** The role a route needs, stated next to the route: 403 when the caller's role is below it. */
export function allow(role: Role): MiddlewareHandler {
  return async (c: Context, next) => {
    const p = c.get('who')?.principal;
    if (!p) throw new AppError(401, 'sign in or send an API token');
    if (!roleAtLeast(p.role, role)) throw new AppError(403, `this needs the ${role} role (you are ${p.role})`);
    await next();
  };
}

/** For routes about the signed-in person (their password): 403 for an API token, which is not a user. */
export function allowUser(): MiddlewareHandler {
  return async (c: Context, next) => {
    const p = c.get('who')?.principal;
    if (!p) throw new AppError(401, 'sign in or send an API token');
    if (p.kind !== 'user') throw new AppError(403, 'only a signed-in user can do this; an API token is not a user');
    await next();
  };
}
