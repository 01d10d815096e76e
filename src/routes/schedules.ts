import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createScheduleInput, firesQuery, previewQuery, scheduleIdPath, updateScheduleInput } from '../services/schedule-input';
import {
  createSchedule,
  deleteSchedule,
  firesPageSchema,
  getScheduleJson,
  listSchedulesJson,
  listTaskSchedules,
  previewSchedule,
  previewSchema,
  scheduleFires,
  scheduleSchema,
  updateSchedule,
} from '../services/schedules-service';
import { taskIdPath } from '../services/task-input';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { who } from './security/context';

const schedulePath = z.object({ schedule_id: scheduleIdPath });
const taskPath = z.object({ id: taskIdPath });

/** Cron schedules of tasks, mounted at /api: /api/schedules and /api/tasks/:id/schedules. */
export function scheduleRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/schedules',
      middleware: allow('viewer'),
      summary: 'Every schedule',
      responses: {
        200: json(z.array(scheduleSchema), 'Each schedule with its last fire and next five fire times.'),
        ...errors([401, 403]),
      },
    }),
    async (c) => c.json(await listSchedulesJson(deps), 200),
  );
  // Before /schedules/:schedule_id, which would otherwise take "preview" for an id.
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/schedules/preview',
      middleware: allow('viewer'),
      summary: 'The next five fire times of a cron expression',
      request: { query: previewQuery },
      responses: { 200: json(previewSchema, 'The next five fire times from now.'), ...errors([400, 401, 403]) },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json(previewSchedule(q.cron, q.timezone), 200);
    },
    // An empty zone is refused, not taken for UTC: the preview shows what a schedule with it would be.
    { emptyValues: 'keep' },
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/schedules/{schedule_id}',
      middleware: allow('viewer'),
      summary: 'One schedule',
      request: { params: schedulePath },
      responses: { 200: json(scheduleSchema, 'The schedule.'), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await getScheduleJson(deps, c.req.valid('param').schedule_id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'patch',
      path: '/schedules/{schedule_id}',
      middleware: allow('editor'),
      summary: 'Change a schedule',
      request: { params: schedulePath, body: jsonBody(updateScheduleInput) },
      responses: { 200: json(scheduleSchema, 'The schedule as it is now.'), ...errors([400, 401, 403, 404, 413]) },
    }),
    async (c) => c.json(await updateSchedule(deps, c.req.valid('param').schedule_id, c.req.valid('json'), who(c)), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/schedules/{schedule_id}',
      middleware: allow('editor'),
      summary: 'Delete a schedule (its runs stay)',
      request: { params: schedulePath },
      responses: { 204: { description: 'Deleted.' }, ...errors([400, 401, 403, 404]) },
    }),
    async (c) => {
      await deleteSchedule(deps, c.req.valid('param').schedule_id, who(c));
      return c.body(null, 204);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/schedules/{schedule_id}/fires',
      middleware: allow('viewer'),
      summary: "A page of a schedule's fire records",
      request: { params: schedulePath, query: firesQuery },
      responses: {
        200: json(firesPageSchema, 'Newest first; pass `next_before` as `before` for older ones.'),
        ...errors([400, 401, 403, 404]),
      },
    }),
    async (c) => c.json(await scheduleFires(deps, c.req.valid('param').schedule_id, c.req.valid('query')), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/tasks/{id}/schedules',
      middleware: allow('viewer'),
      summary: "A task's schedules",
      request: { params: taskPath },
      responses: { 200: json(z.array(scheduleSchema), "The task's schedules."), ...errors([400, 401, 403, 404]) },
    }),
    async (c) => c.json(await listTaskSchedules(deps, c.req.valid('param').id), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/tasks/{id}/schedules',
      middleware: allow('editor'),
      summary: 'Add a schedule to a task',
      request: { params: taskPath, body: jsonBody(createScheduleInput) },
      responses: { 201: json(scheduleSchema, 'The new schedule.'), ...errors([400, 401, 403, 404, 413]) },
    }),
    async (c) => c.json(await createSchedule(deps, c.req.valid('param').id, c.req.valid('json'), who(c)), 201),
  );
  return app;
}
