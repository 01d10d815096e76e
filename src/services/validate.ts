import { z } from 'zod';
import { AppError } from './app-error';

/** The 400 for input that failed `schema`: it names each bad field and why, in `error` and in `fields`. */
export function inputError(error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'body';
    fields[key] ??= issue.message;
  }
  const message = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  return new AppError(400, message, { fields });
}

/** Validates input from outside; a 400 names each bad field and why, in `error` and in `fields`. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw inputError(result.error);
}

/**
 * Validates the parameters in a URL's path. Each schema's message is the whole answer (`invalid task id: ...`):
 * only the first problem is told, with the `fields` an issue carries in its `params`, if any.
 */
export function parsePath<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const fields = 'params' in issue ? (issue.params as { fields?: Record<string, string> } | undefined)?.fields : undefined;
  throw new AppError(400, issue.message, fields ? { fields } : {});
}

/** A query without the parameters sent empty (`?status=`): they count as absent. */
export function withoutEmptyValues(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

/**
 * `schema` as a path parameter that answers a bad value as a bad body would (`body: why`, with `fields`):
 * the admin routes that take a user's or a token's name have always answered so.
 */
export function bodyLikePath(schema: z.ZodType<string>): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    const result = schema.safeParse(value);
    if (result.success) return;
    const why = result.error.issues[0]!.message;
    ctx.addIssue({ code: 'custom', message: `body: ${why}`, params: { fields: { body: why } } });
  });
}
