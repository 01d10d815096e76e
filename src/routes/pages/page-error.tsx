import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../../log';
import { AppError } from '../../services/app-error';
import { ErrorMessage, ErrorPage, type ErrorInfo } from '../../views/error-view';
import { isHtmx, sendFragment, sendPage, type PageEnv } from './render';

function errorInfo(err: Error, log: Logger, c: Context): ErrorInfo {
  if (err instanceof AppError) {
    const runId = typeof err.extra.run_id === 'number' ? err.extra.run_id : undefined;
    return { status: err.status, message: err.message, runId };
  }
  if (err instanceof HTTPException) return { status: err.status, message: err.message || 'request refused' };
  log.error({ err, method: c.req.method, path: c.req.path }, 'page request failed');
  return { status: 500, message: 'Something went wrong on our side; it has been logged.' };
}

/**
 * Turns an error on a page route into HTML: for htmx, the message as a fragment swapped into the
 * target the route named (HX-Retarget; #flash by default) with the error's status; else a whole page.
 */
export function onPageError(log: Logger) {
  return (err: Error, c: Context<PageEnv>) => {
    const info = errorInfo(err, log, c);
    const status = info.status as ContentfulStatusCode;
    if (isHtmx(c)) {
      c.header('HX-Retarget', c.get('errorTarget') ?? '#flash');
      c.header('HX-Reswap', 'innerHTML');
      return sendFragment(c, <ErrorMessage error={info} />, status);
    }
    return sendPage(c, <ErrorPage error={info} />, status);
  };
}

/** 404 for page paths no route serves; API paths keep the JSON answer of the app's own notFound. */
export function pageNotFound(c: Context) {
  if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return c.notFound();
  throw new AppError(404, `There is no page at ${c.req.path}.`);
}
