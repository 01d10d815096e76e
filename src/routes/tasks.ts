import { Hono } from 'hono';
import { createTask, deleteTask, executeTask, getTask, listTasks, updateTask } from '../services/tasks-service';
import { createTaskInput, runInput, taskIdParam, updateTaskInput } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readJson, readOptionalJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { callerAtLeast, who } from './security/context';

/** /api/tasks: list, create, read, change, delete and execute tasks. */
export function taskRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/', allow('viewer'), async (c) => c.json(await listTasks(deps, { secrets: callerAtLeast(c, 'editor') })))
    .post('/', allow('editor'), async (c) => c.json(await createTask(deps, parseInput(createTaskInput, await readJson(c)), who(c)), 201))
    .get('/:id', allow('viewer'), async (c) => c.json(await getTask(deps, taskIdParam(c.req.param('id')), { secrets: callerAtLeast(c, 'editor') })))
    .put('/:id', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      return c.json(await updateTask(deps, id, parseInput(updateTaskInput, await readJson(c)), who(c)));
    })
    .delete('/:id', allow('editor'), async (c) => {
      await deleteTask(deps, taskIdParam(c.req.param('id')), who(c));
      return c.body(null, 204);
    })
    .post('/:id/execute', allow('operator'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      // The body is optional: none runs the task with its parameters' defaults.
      const body = await readOptionalJson(c);
      const input = body === undefined ? {} : parseInput(runInput, body);
      return c.json(await executeTask(deps, id, 'api', who(c), input.params), 202);
    });
}
