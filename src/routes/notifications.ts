import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { intIdPath } from '../services/name-input';
import { deliveriesQuery, newTargetInput, targetPatchInput } from '../services/notification-input';
import {
  createTarget,
  deliveriesPageSchema,
  newTargetSchema,
  patchTarget,
  removeTarget,
  targetDeliveries,
  targetSchema,
  targetsOf,
} from '../services/notifications-service';
import { taskIdPath } from '../services/task-input';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';

const taskPath = z.object({ id: taskIdPath });
const targetPath = z.object({ target_id: intIdPath('notification target id') });
const GLOBAL = { 403: "A global target needs the admin role; the caller's role is too low." };

/**
 * Notification targets: a task's (editor) under /api/tasks/:id/notifications, global ones (admin) under
 * /api/notifications. A target's own routes need editor, and admin when the target is global.
 */
export function notificationRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/tasks/{id}/notifications',
      middleware: allow('editor'),
      summary: "A task's notification targets",
      request: { params: taskPath },
      responses: { 200: json(z.array(targetSchema), "The task's targets; never a signing key."), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await targetsOf(deps, c.req.valid('param').id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/tasks/{id}/notifications',
      middleware: allow('editor'),
      summary: 'Add a notification target to a task',
      request: { params: taskPath, body: jsonBody(newTargetInput) },
      responses: {
        201: json(newTargetSchema, 'The target with its signing key: the only time it is shown.'),
        ...errors([400, 401, 403, 404, 413]),
      },
    }),
    async (c) => c.json(await createTarget(deps, who(c), c.req.valid('param').id, c.req.valid('json')), 201),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/notifications',
      middleware: allow('admin'),
      summary: 'The global notification targets (every task)',
      responses: { 200: json(z.array(targetSchema), 'The global targets; never a signing key.'), ...errors([401, 403]) },
    }),
    async (c) => c.json(await targetsOf(deps, null), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/notifications',
      middleware: allow('admin'),
      summary: 'Add a global notification target',
      request: { body: jsonBody(newTargetInput) },
      responses: {
        201: json(newTargetSchema, 'The target with its signing key: the only time it is shown.'),
        ...errors([400, 401, 403, 413]),
      },
    }),
    async (c) => c.json(await createTarget(deps, who(c), null, c.req.valid('json')), 201),
  );
  defineRoute(
    app,
    createRoute({
      method: 'patch',
      path: '/notifications/{target_id}',
      middleware: allow('editor'),
      summary: 'Change a notification target',
      request: { params: targetPath, body: jsonBody(targetPatchInput) },
      responses: { 200: json(targetSchema, 'The target as it is now.'), ...errors([400, 401, 403, 404, 413], GLOBAL) },
    }),
    async (c) => c.json(await patchTarget(deps, who(c), c.req.valid('param').target_id, c.req.valid('json')), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/notifications/{target_id}',
      middleware: allow('editor'),
      summary: 'Delete a notification target and its log',
      request: { params: targetPath },
      responses: { 204: { description: 'Deleted.' }, ...errors([400, 401, 403, 404], GLOBAL) },
    }),
    async (c) => {
      await removeTarget(deps, who(c), c.req.valid('param').target_id);
      return c.body(null, 204);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/notifications/{target_id}/deliveries',
      middleware: allow('editor'),
      summary: "A page of a target's delivery log",
      request: { params: targetPath, query: deliveriesQuery },
      responses: { 200: json(deliveriesPageSchema, 'Newest first, each with its attempts.'), ...errors([400, 401, 403, 404], GLOBAL) },
    }),
    async (c) => c.json(await targetDeliveries(deps, who(c), c.req.valid('param').target_id, c.req.valid('query')), 200),
  );
  return app;
}
