import { Hono } from 'hono';
import { createTask, deleteTask, executeTask, getTask, listTasks, updateTask } from '../services/tasks-service';
import { createTaskInput, taskIdParam, updateTaskInput } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { WebDeps } from './deps';

/** /api/tasks: list, create, read, change, delete and execute tasks. */
export function taskRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/', async (c) => c.json(await listTasks(deps)))
    .post('/', async (c) => c.json(await createTask(deps, parseInput(createTaskInput, await readJson(c))), 201))
    .get('/:id', async (c) => c.json(await getTask(deps, taskIdParam(c.req.param('id')))))
    .put('/:id', async (c) => {
      const id = taskIdParam(c.req.param('id'));
      return c.json(await updateTask(deps, id, parseInput(updateTaskInput, await readJson(c))));
    })
    .delete('/:id', async (c) => {
      await deleteTask(deps, taskIdParam(c.req.param('id')));
      return c.body(null, 204);
    })
    .post('/:id/execute', async (c) => c.json(await executeTask(deps, taskIdParam(c.req.param('id'))), 202));
}
