import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { intIdPath } from '../services/name-input';
import { taskIdPath } from '../services/task-input';
import {
  createWebhook,
  newWebhookInput,
  newWebhookSchema,
  revokeWebhookById,
  taskWebhooks,
  webhookSchema,
} from '../services/webhooks-service';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';

const taskPath = z.object({ id: taskIdPath });

/** /api/tasks/:id/webhooks and /api/webhooks/:webhook_id: list, create (the secret shown once), revoke. */
export function webhookRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/tasks/{id}/webhooks',
      middleware: allow('editor'),
      summary: "A task's webhooks",
      request: { params: taskPath },
      responses: { 200: json(z.array(webhookSchema), 'Active ones first; never a secret.'), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await taskWebhooks(deps, c.req.valid('param').id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/tasks/{id}/webhooks',
      middleware: allow('editor'),
      summary: 'Create a webhook for a task',
      request: { params: taskPath, body: jsonBody(newWebhookInput) },
      responses: {
        201: json(newWebhookSchema, 'The webhook with its URL and secret: the only time they are shown.'),
        ...errors([400, 401, 403, 404, 413]),
      },
    }),
    async (c) => c.json(await createWebhook(deps, who(c), c.req.valid('param').id, c.req.valid('json').name), 201),
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/webhooks/{webhook_id}',
      middleware: allow('editor'),
      summary: 'Revoke a webhook',
      request: { params: z.object({ webhook_id: intIdPath('webhook id') }) },
      responses: { 204: { description: 'Revoked.' }, ...errors([400, 401, 403, 404]) },
    }),
    async (c) => {
      await revokeWebhookById(deps, who(c), c.req.valid('param').webhook_id);
      return c.body(null, 204);
    },
  );
  return app;
}
