import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  createTask,
  deleteTask,
  executeSchema,
  executeTask,
  getTask,
  listTasks,
  taskSchema,
  taskWithContentSchema,
  updateTask,
} from '../services/tasks-service';
import { createTaskInput, runInput, taskIdPath, updateTaskInput } from '../services/task-input';
import type { WebDeps } from './deps';
import { defineRoute, errors, json, jsonBody } from './openapi';
import { allow } from './security/authenticate';
import { callerAtLeast, who } from './security/context';

const taskPath = z.object({ id: taskIdPath });

/** /api/tasks: list, create, read, change, delete and execute tasks. */
export function taskRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/',
      middleware: allow('viewer'),
      summary: 'Every task with its active and last run',
      responses: { 200: json(z.array(taskSchema), 'The tasks in id order; `secrets` only for editors and admins.'), ...errors([401, 403]) },
    }),
    async (c) => c.json(await listTasks(deps, { secrets: callerAtLeast(c, 'editor') }), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/',
      middleware: allow('editor'),
      summary: 'Create a task',
      request: { body: jsonBody(createTaskInput) },
      responses: { 201: json(taskSchema, 'The new task.'), ...errors([400, 401, 403, 409, 413], { 409: 'A task with this id exists.' }) },
    }),
    async (c) => c.json(await createTask(deps, c.req.valid('json'), who(c)), 201),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/{id}',
      middleware: allow('viewer'),
      summary: 'One task with its script',
      request: { params: taskPath },
      responses: {
        200: json(taskWithContentSchema, 'The task and its script; `secrets` only for editors and admins.'),
        ...errors([400, 401, 403, 404]),
      },
    }),
    async (c) => c.json(await getTask(deps, c.req.valid('param').id, { secrets: callerAtLeast(c, 'editor') }), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'put',
      path: '/{id}',
      middleware: allow('editor'),
      summary: "Change a task's script or settings",
      request: { params: taskPath, body: jsonBody(updateTaskInput) },
      responses: { 200: json(taskWithContentSchema, 'The task as it is now.'), ...errors([400, 401, 403, 404, 413]) },
    }),
    async (c) => c.json(await updateTask(deps, c.req.valid('param').id, c.req.valid('json'), who(c)), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'delete',
      path: '/{id}',
      middleware: allow('editor'),
      summary: 'Delete a task (its runs stay in the history)',
      request: { params: taskPath },
      responses: {
        204: { description: 'Deleted.' },
        ...errors([400, 401, 403, 404, 409], { 409: 'The task has an active run (`run_id`).' }),
      },
    }),
    async (c) => {
      await deleteTask(deps, c.req.valid('param').id, who(c));
      return c.body(null, 204);
    },
  );
  defineRoute(
    app,
    createRoute({
      method: 'post',
      path: '/{id}/execute',
      middleware: allow('operator'),
      summary: 'Queue a run of a task',
      // The body is optional: none runs the task with its parameters' defaults.
      request: { params: taskPath, body: jsonBody(runInput, false) },
      responses: {
        202: json(executeSchema, 'The run is queued.'),
        ...errors([400, 401, 403, 404, 409, 413, 429], { 409: 'The task has an active run (`run_id`).', 429: 'The queue is full.' }),
      },
    }),
    async (c) => c.json(await executeTask(deps, c.req.valid('param').id, 'api', who(c), c.req.valid('json').params), 202),
  );
  return app;
}
