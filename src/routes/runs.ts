import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { cancelRunById, getRunJson, listRunsPage, runIdParam, runIdPath, runsPageSchema, runsQuery } from '../runs/service';
import { rerunRun } from '../runs/service';
import { runSchema } from '../runs/json';
import { runInput } from '../services/task-input';
import { executeSchema } from '../services/tasks-service';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';
import { streamRun } from './stream';

const runPath = z.object({ run_id: runIdPath });

/** /api/runs: history, one run, cancel, start again, and the live stream. */
export function runRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/',
      middleware: allow('viewer'),
      summary: 'A page of runs, newest first',
      request: { query: runsQuery },
      responses: { 200: json(runsPageSchema, 'The runs; pass `next_cursor` as `cursor` for older ones.'), ...errors([400, 401, 403]) },
    }),
    async (c) => c.json(await listRunsPage(deps, c.req.valid('query')), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/{run_id}',
      middleware: allow('viewer'),
      summary: 'One run',
      request: { params: runPath },
      responses: { 200: json(runSchema, 'The run, with the live size of its log while it runs.'), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await getRunJson(deps, c.req.valid('param').run_id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/{run_id}/cancel',
      middleware: allow('operator'),
      summary: 'Cancel a queued or running run',
      request: { params: runPath },
      responses: {
        202: json(runSchema, 'A queued run is canceled; a running one is being stopped.'),
        ...errors([400, 401, 403, 404, 409], { 409: 'The run has already ended (`status`).' }),
      },
    }),
    async (c) => c.json(await cancelRunById(deps, c.req.valid('param').run_id, who(c)), 202),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/{run_id}/rerun',
      middleware: allow('operator'),
      summary: 'Run again with the values it ran with',
      // The body is optional: `params` replace or add values; a secret parameter's value is never kept.
      request: { params: runPath, body: jsonBody(runInput, false) },
      responses: {
        202: json(executeSchema, 'The new run is queued.'),
        ...errors([400, 401, 403, 404, 409, 413, 429], { 409: 'The task has an active run (`run_id`).', 429: 'The queue is full.' }),
      },
    }),
    async (c) => c.json(await rerunRun(deps, c.req.valid('param').run_id, who(c), c.req.valid('json').params), 202),
  );
  // The live stream (server-sent events, stream.ts) stays a plain route, outside the OpenAPI document.
  app.get('/:run_id/stream', allow('viewer'), async (c) => streamRun(c, deps, runIdParam(c.req.param('run_id'))));
  return app;
}
