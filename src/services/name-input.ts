import { z } from 'zod';
import { parsePath } from './validate';

// Text that would not be stored or shown as sent is refused: control characters (NUL breaks Postgres,
// line breaks break a one-line label) and lone UTF-16 surrogates.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** The name of a webhook or notification target: what people read in lists and the audit log. */
export const displayName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .refine((s) => !CONTROL.test(s), { error: 'must not contain control characters' })
  .refine((s) => !LONE_SURROGATE.test(s), { error: 'must be valid Unicode: it has a lone surrogate' });

/** A positive int4 id in a URL's path (a schedule's, a webhook's): 400 naming `what` otherwise. */
export function intIdPath(what: string) {
  const error = `invalid ${what}: must be a positive whole number`;
  return z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, { error })
    .refine((v) => Number(v) <= 2_147_483_647, { error })
    .transform(Number);
}

const intIdPaths = new Map<string, ReturnType<typeof intIdPath>>();

/** A positive int4 id from a URL (a webhook's, a notification target's): 400 naming `what` otherwise. */
export function intIdParam(what: string, value: string): number {
  let schema = intIdPaths.get(what);
  if (!schema) {
    schema = intIdPath(what);
    intIdPaths.set(what, schema);
  }
  return parsePath(schema, value);
}

/** A strict object's error messages: unknown fields named, anything else "must be a JSON object". */
export const strictObjectError = {
  error: (iss: { code: string; keys?: string[] }) =>
    iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys?.join(', ')}` : 'must be a JSON object',
};
