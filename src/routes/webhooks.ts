import { Hono } from 'hono';
import { intIdParam } from '../services/name-input';
import { taskIdParam } from '../services/task-input';
import { parseInput } from '../services/validate';
import { createWebhook, newWebhookInput, revokeWebhookById, taskWebhooks } from '../services/webhooks-service';
import { readJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';

/** /api/tasks/:id/webhooks and /api/webhooks/:webhook_id: list, create (the secret shown once), revoke. */
export function webhookRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/tasks/:id/webhooks', allow('editor'), async (c) => c.json(await taskWebhooks(deps, taskIdParam(c.req.param('id')))))
    .post('/tasks/:id/webhooks', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      const input = parseInput(newWebhookInput, await readJson(c));
      return c.json(await createWebhook(deps, who(c), id, input.name), 201);
    })
    .delete('/webhooks/:webhook_id', allow('editor'), async (c) => {
      await revokeWebhookById(deps, who(c), intIdParam('webhook id', c.req.param('webhook_id')));
      return c.body(null, 204);
    });
}
