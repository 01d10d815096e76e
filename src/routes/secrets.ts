import { Hono } from 'hono';
import { deleteTaskSecret, listTaskSecrets, secretNameParam, secretValueInput, setTaskSecret } from '../services/secrets-service';
import { taskIdParam } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';

/** /api/tasks/:id/secrets: list names, set and delete a task's secrets. No route ever answers a value. */
export function secretRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/:id/secrets', allow('editor'), async (c) => c.json(await listTaskSecrets(deps, taskIdParam(c.req.param('id')))))
    .put('/:id/secrets/:name', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      const name = secretNameParam(c.req.param('name'));
      const { value } = parseInput(secretValueInput, await readJson(c));
      await setTaskSecret(deps, id, name, value, who(c));
      return c.body(null, 204);
    })
    .delete('/:id/secrets/:name', allow('editor'), async (c) => {
      await deleteTaskSecret(deps, taskIdParam(c.req.param('id')), secretNameParam(c.req.param('name')), who(c));
      return c.body(null, 204);
    });
}
