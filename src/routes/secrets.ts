import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  deleteTaskSecret,
  listTaskSecrets,
  secretNamePath,
  secretSchema,
  secretValueInput,
  setTaskSecret,
} from '../services/secrets-service';
import { taskIdPath } from '../services/task-input';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';

const secretPath = z.object({ id: taskIdPath, name: secretNamePath });

/** /api/tasks/:id/secrets: list names, set and delete a task's secrets. No route ever answers a value. */
export function secretRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/{id}/secrets',
      middleware: allow('editor'),
      summary: "The names of a task's secrets",
      request: { params: z.object({ id: taskIdPath }) },
      responses: { 200: json(z.array(secretSchema), 'Each secret by name, never its value.'), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await listTaskSecrets(deps, c.req.valid('param').id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'put',
      path: '/{id}/secrets/{name}',
      middleware: allow('editor'),
      summary: 'Set a secret (sealed at rest, never shown again)',
      request: { params: secretPath, body: jsonBody(secretValueInput) },
      responses: {
        204: { description: 'Set.' },
        ...errors([400, 401, 403, 404, 409, 413], { 409: 'The task has as many secrets as it may.' }),
      },
    }),
    async (c) => {
      const { id, name } = c.req.valid('param');
      await setTaskSecret(deps, id, name, c.req.valid('json').value, who(c));
      return c.body(null, 204);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/{id}/secrets/{name}',
      middleware: allow('editor'),
      summary: 'Delete a secret',
      request: { params: secretPath },
      responses: { 204: { description: 'Deleted.' }, ...errors([400, 401, 403, 404]) },
    }),
    async (c) => {
      const { id, name } = c.req.valid('param');
      await deleteTaskSecret(deps, id, name, who(c));
      return c.body(null, 204);
    },
  );
  return app;
}
