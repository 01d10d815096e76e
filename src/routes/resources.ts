import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getRunResources, resourcesSchema } from '../services/resources-service';
import { runIdPath } from '../runs/service';
import type { WebDeps } from './deps';
import { defineRoute, errors, json } from './openapi';
import { allow } from './security/authenticate';

/** /api/runs/:run_id/resources: the CPU and memory samples of a run's process tree. */
export function resourceRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/{run_id}/resources',
      middleware: allow('viewer'),
      summary: "A run's CPU and memory samples",
      request: { params: z.object({ run_id: runIdPath }) },
      responses: { 200: json(resourcesSchema, 'The samples, oldest first, and the totals.'), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await getRunResources(deps, c.req.valid('param').run_id), 200),
  );
  return app;
}
