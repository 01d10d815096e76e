import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../log';
import { AppError } from '../services/app-error';

/** Turns any thrown error into a JSON answer; never a stack trace, and a 500 only for our own faults. */
export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return c.json({ error: err.message, ...err.extra }, err.status, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return c.json({ error: err.message || httpMessage(status) }, status);
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  };
}

function httpMessage(status: number): string {
  if (status === 413) return 'request body too large (limit 1 MB)';
  return 'request refused';
}

/** 404 for every path no route serves. */
export function notFound(c: Context) {
  return c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404);
}
