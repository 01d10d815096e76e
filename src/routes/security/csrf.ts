import type { MiddlewareHandler } from 'hono';
import { safeEqual } from '../../auth/secrets';
import { AppError } from '../../services/app-error';
import './context';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOOK_PATH = /^\/hooks\/[^/]+$/;

/** Where a request says it comes from: Origin, else Referer's origin. */
function sourceOrigin(origin: string | undefined, referer: string | undefined): string | undefined {
  if (origin && origin !== 'null') return origin;
  if (referer) {
    try {
      return new URL(referer).origin;
    } catch {
      return undefined;
    }
  }
  return origin; // 'null' (sandboxed or privacy-redirected) counts as cross-site
}

/**
 * For unsafe requests authenticated by the session cookie: same-origin Origin (or Referer), and the
 * session's CSRF token in `X-CSRF-Token` (htmx) or the `_csrf` form field. Bearer requests carry no
 * ambient credentials and need neither. Sign-in and setup forms (no session yet) need the origin check.
 */
export function csrfProtection(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    // A webhook call is authorised by the secret in its path, never by a cookie: nothing to forge.
    if (HOOK_PATH.test(c.req.path)) return next();
    const p = c.get('who')?.principal;
    if (p?.kind === 'token') return next();
    const from = sourceOrigin(c.req.header('origin'), c.req.header('referer'));
    const host = c.req.header('host');
    if (!from || !host || (from !== `http://${host}` && from !== `https://${host}`)) {
      throw new AppError(403, 'cross-site request refused');
    }
    if (!p) return next(); // the public forms; anything else is refused by authenticate anyway
    let token = c.req.header('x-csrf-token');
    const type = c.req.header('content-type') ?? '';
    if (!token && (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data'))) {
      const field = (await c.req.parseBody())._csrf;
      token = typeof field === 'string' ? field : undefined;
    }
    if (!token || !p.csrfToken || !safeEqual(token, p.csrfToken)) throw new AppError(403, 'missing or wrong CSRF token');
    await next();
  };
}
