import { Hono } from 'hono';
import { intIdParam } from '../services/name-input';
import { deliveriesQuery, newTargetInput, targetPatchInput } from '../services/notification-input';
import { createTarget, patchTarget, removeTarget, targetDeliveries, targetsOf } from '../services/notifications-service';
import { taskIdParam } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';

const targetId = (value: string) => intIdParam('notification target id', value);

/**
 * Notification targets: a task's (editor) under /api/tasks/:id/notifications, global ones (admin) under
 * /api/notifications. A target's own routes need editor, and admin when the target is global.
 */
export function notificationRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/tasks/:id/notifications', allow('editor'), async (c) => c.json(await targetsOf(deps, taskIdParam(c.req.param('id')))))
    .post('/tasks/:id/notifications', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      return c.json(await createTarget(deps, who(c), id, parseInput(newTargetInput, await readJson(c))), 201);
    })
    .get('/notifications', allow('admin'), async (c) => c.json(await targetsOf(deps, null)))
    .post('/notifications', allow('admin'), async (c) => c.json(await createTarget(deps, who(c), null, parseInput(newTargetInput, await readJson(c))), 201))
    .patch('/notifications/:target_id', allow('editor'), async (c) => {
      const id = targetId(c.req.param('target_id'));
      return c.json(await patchTarget(deps, who(c), id, parseInput(targetPatchInput, await readJson(c))));
    })
    .delete('/notifications/:target_id', allow('editor'), async (c) => {
      await removeTarget(deps, who(c), targetId(c.req.param('target_id')));
      return c.body(null, 204);
    })
    .get('/notifications/:target_id/deliveries', allow('editor'), async (c) => {
      const id = targetId(c.req.param('target_id'));
      const q = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
      return c.json(await targetDeliveries(deps, who(c), id, parseInput(deliveriesQuery, q)));
    });
}
