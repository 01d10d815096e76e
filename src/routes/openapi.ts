import { z, type OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Handler, MiddlewareHandler } from 'hono';
import { parseInput, parsePath, withoutEmptyValues } from '../services/validate';
import { readJson } from './body';

// The JSON API's routes are defined with createRoute: path parameters, query, body and every answer
// with its schema. The app's OpenAPI document is made from these definitions (app.getOpenAPI31Document).

/** How a route reads its query: empty values count as absent (`?status=`) unless `keep` says they are errors. */
export type QueryOptions = { emptyValues?: 'absent' | 'keep' };

/**
 * Adds `route` to `app`: its definition to the app's OpenAPI document, and `handler` behind the route's
 * middleware (the role check) and a check of its input, typed from the definition as `app.openapi` types it.
 *
 * Not `app.openapi`: its validators read a JSON body only when Content-Type names JSON, take a repeated
 * query parameter as a list and check the query before the path. The API reads the body whatever its
 * type (fetch and curl send JSON as text/plain or a form), takes the first of a repeated parameter, and
 * answers a bad path first, each with the 400 it has always given (services/validate.ts).
 */
export function defineRoute<R extends RouteConfig>(app: OpenAPIHono, route: R, handler: RouteHandler<R>, options: QueryOptions = {}): void {
  const { middleware, hide: _hide, ...definition } = route;
  app.openAPIRegistry.registerPath(definition);
  const check = checkInput(route, options);
  const handlers = [...[middleware ?? []].flat(), ...(check ? [check] : []), handler] as Handler[];
  app.on(route.method.toUpperCase(), route.path.replaceAll(/\/{(.+?)}/g, '/:$1'), ...(handlers as [Handler]));
}

type Valid = Record<string, unknown>;

// One middleware for the path, the query and the body, in that order. A route without a body never reads
// one: a GET stays as cheap as a bare route (body.ts).
function checkInput(route: RouteConfig, options: QueryOptions): MiddlewareHandler | undefined {
  const { params, query, body } = route.request ?? {};
  const json = (body?.content['application/json'] as { schema?: z.ZodType } | undefined)?.schema;
  if (!params && !query && !json) return undefined;
  const required = body?.required === true;
  const keepEmpty = options.emptyValues === 'keep';
  return async (c, next) => {
    if (params) c.req.addValidatedData('param', parsePath(params, c.req.param()) as Valid);
    if (query) c.req.addValidatedData('query', parseInput(query, keepEmpty ? c.req.query() : withoutEmptyValues(c.req.query())) as Valid);
    if (json) {
      const data = await readJson(c, required);
      // An optional body left out is an empty one: the defaults of its fields.
      c.req.addValidatedData('json', data === undefined ? {} : (parseInput(json, data) as Valid));
    }
    await next();
  };
}

/** What every error answers: a message, and for bad input each bad field and why. Some add a field (`run_id`). */
export const errorSchema = z
  .object({
    error: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
  })
  .openapi('Error');

const ERRORS = {
  400: 'Bad input: `error` names each bad field and why, `fields` maps each to its problem.',
  401: 'Not signed in and no API token.',
  403: 'The caller may not do this: its role is too low, or a signed-in browser sent no CSRF token.',
  404: 'Not found.',
  409: 'In conflict with the current state.',
  413: 'The request body is too large.',
  429: 'Too many requests: try again later.',
  503: 'Not available now: try again shortly.',
} as const;

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
type ErrorAnswer = ReturnType<typeof errorAnswer>;

/** The error answers of a route, each with its usual description; `own` gives a route's own words. */
export function errors<C extends keyof typeof ERRORS>(codes: C[], own: Partial<Record<C, string>> = {}): Record<C, ErrorAnswer> {
  return Object.fromEntries(codes.map((code) => [code, errorAnswer(own[code] ?? ERRORS[code])])) as Record<C, ErrorAnswer>;
}

/** A JSON answer with its schema. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body with its schema; `required: false` when it may be left out. */
export function jsonBody<S extends z.ZodType>(schema: S, required = true) {
  return { required, content: { 'application/json': { schema } } };
}
