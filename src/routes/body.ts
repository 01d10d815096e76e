import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../services/app-error';

/** The largest request body accepted: a 1 MB script plus its JSON wrapping. */
export const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

const limit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError(413, 'request body too large (limit 1 MB)');
  },
});

/**
 * Refuses larger bodies with 413 before they are read whole. GET and HEAD carry no body and skip the
 * check: bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full WHATWG Request
 * (an AbortController and a web stream) for every request, and that cost 3 to 4 times the throughput
 * of a bare route (npm run bench, scenario 5).
 */
export const limitBody: MiddlewareHandler = (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));

/**
 * The request body as JSON, whatever its Content-Type (fetch sends a string as text/plain); 400 when it
 * is not JSON. An empty body is a 400 when `required`, else undefined.
 */
export async function readJson(c: Context, required: boolean): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') {
    if (required) throw new AppError(400, 'request body must be a JSON object');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'request body is not valid JSON');
  }
}
