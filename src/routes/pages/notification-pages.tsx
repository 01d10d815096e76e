import type { Context } from 'hono';
import { Hono } from 'hono';
import { intIdParam } from '../../services/name-input';
import { deliveriesQuery, newTargetInput } from '../../services/notification-input';
import {
  createTarget,
  patchTarget,
  removeTarget,
  targetDeliveries,
  targetFor,
  targetsOf,
  type TargetJson,
} from '../../services/notifications-service';
import { taskIdParam } from '../../services/task-input';
import { parseInput } from '../../services/validate';
import { DeliveryLog, NotificationsPage, NotificationsSection } from '../../views/notifications-view';
import type { WebDeps } from '../deps';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import { sendFragment, sendPage, type PageEnv } from './render';

const targetId = (value: string) => intIdParam('notification target id', value);

// The create form's fields; `events` is one checkbox per event, so zero, one or many values.
async function readTargetForm(c: Context) {
  const form = await c.req.parseBody({ all: true });
  const events = form.events === undefined ? [] : Array.isArray(form.events) ? form.events : [form.events];
  return parseInput(newTargetInput, { name: form.name, url: form.url, events });
}

/**
 * The notification targets of a task's page (an htmx fragment) and the admins' /notifications page of
 * global targets: create with the secret shown once, enable or disable, delete, the delivery log.
 */
export function notificationPages(deps: WebDeps): Hono<PageEnv> {
  const section = async (c: Context, taskId: string | null, created?: TargetJson & { secret: string }) =>
    sendFragment(c, <NotificationsSection taskId={taskId} targets={await targetsOf(deps, taskId)} created={created} />);

  return new Hono<PageEnv>()
    .get('/tasks/:id/notifications', allow('editor'), (c) => section(c, taskIdParam(c.req.param('id'))))
    .post('/tasks/:id/notifications', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#target-form-status');
      return section(c, id, await createTarget(deps, who(c), id, await readTargetForm(c)));
    })
    .get('/notifications', allow('admin'), async (c) => sendPage(c, <NotificationsPage targets={await targetsOf(deps, null)} />))
    .post('/notifications', allow('admin'), async (c) => {
      c.set('errorTarget', '#target-form-status');
      return section(c, null, await createTarget(deps, who(c), null, await readTargetForm(c)));
    })
    .post('/notifications/:target_id/enabled', allow('editor'), async (c) => {
      const id = targetId(c.req.param('target_id'));
      const enabled = (await c.req.parseBody()).enabled === 'true';
      const target = await patchTarget(deps, who(c), id, { enabled });
      return section(c, target.task_id);
    })
    .post('/notifications/:target_id/delete', allow('editor'), async (c) => {
      const target = await removeTarget(deps, who(c), targetId(c.req.param('target_id')));
      return section(c, target.task_id);
    })
    .get('/notifications/:target_id/deliveries', allow('editor'), async (c) => {
      const id = targetId(c.req.param('target_id'));
      const target = await targetFor(deps, who(c), id);
      const page = await targetDeliveries(deps, who(c), id, parseInput(deliveriesQuery, { limit: '20' }));
      return sendFragment(c, <DeliveryLog target={target} deliveries={page.deliveries} />);
    });
}
