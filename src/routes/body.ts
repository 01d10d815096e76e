import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../services/app-error';

/** The largest request body accepted: a 1 MB script plus its JSON wrapping. */
export const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

/** Refuses larger bodies with 413 before they are read whole. */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError(413, 'request body too large (limit 1 MB)');
  },
});

/** The request body as JSON; 400 when it is not. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new AppError(400, 'request body must be a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'request body is not valid JSON');
  }
}
