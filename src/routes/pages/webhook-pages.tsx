import type { Context } from 'hono';
import { Hono } from 'hono';
import { getOneTaskSettings } from '../../queries/task-settings';
import { intIdParam } from '../../services/name-input';
import { taskIdParam } from '../../services/task-input';
import { parseInput } from '../../services/validate';
import { createWebhook, newWebhookInput, revokeWebhookById, taskWebhooks, type NewWebhookJson } from '../../services/webhooks-service';
import { curlExample, WebhooksSection } from '../../views/webhooks-view';
import type { WebDeps } from '../deps';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import { sendFragment, type PageEnv } from './render';

/** The webhooks part of a task's page (an htmx fragment): list, create with the secret shown once, revoke. */
export function webhookPages(deps: WebDeps): Hono<PageEnv> {
  const section = async (c: Context, taskId: string, created?: NewWebhookJson) => {
    const hooks = await taskWebhooks(deps, taskId);
    const shown = created && { hook: created, curl: curlExample(created.url, (await getOneTaskSettings(deps.db, taskId)).params) };
    return sendFragment(c, <WebhooksSection taskId={taskId} hooks={hooks} created={shown} />);
  };

  return new Hono<PageEnv>()
    .get('/tasks/:id/webhooks', allow('editor'), (c) => section(c, taskIdParam(c.req.param('id'))))
    .post('/tasks/:id/webhooks', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#webhook-form-status');
      const form = await c.req.parseBody();
      const input = parseInput(newWebhookInput, { name: form.name });
      return section(c, id, await createWebhook(deps, who(c), id, input.name));
    })
    .post('/webhooks/:webhook_id/revoke', allow('editor'), async (c) => {
      const hook = await revokeWebhookById(deps, who(c), intIdParam('webhook id', c.req.param('webhook_id')));
      return section(c, hook.taskId);
    });
}
