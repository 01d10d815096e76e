import type { Context } from 'hono';
import { Hono } from 'hono';
import { AppError } from '../../services/app-error';
import { deleteTaskSecret, listTaskSecrets, secretNameParam, secretValueInput, setTaskSecret } from '../../services/secrets-service';
import { envNameProblem } from '../../tasks/env-vars';
import { taskIdParam } from '../../services/task-input';
import { SecretsSection, type SecretsProps } from '../../views/secrets-view';
import { allow } from '../security/authenticate';
import { who } from '../security/context';
import type { WebDeps } from '../deps';
import { isHtmx, redirectTo, sendFragment, type PageEnv } from './render';

/** The Secrets section of a task's page: add or replace, and delete; the same service calls as /api/tasks/:id/secrets. */
export function secretsPages(deps: WebDeps): Hono<PageEnv> {
  // After a change: the section again for htmx (outerHTML of #secrets), else back to the task's page.
  const answer = async (c: Context, taskId: string, extra: Omit<SecretsProps, 'taskId' | 'secrets'> = {}, status: 200 | 400 = 200) => {
    if (!isHtmx(c)) return redirectTo(c, `/tasks/${taskId}/edit#secrets`);
    if (status === 400) {
      c.header('HX-Retarget', '#secrets');
      c.header('HX-Reswap', 'outerHTML');
    }
    return sendFragment(c, <SecretsSection taskId={taskId} secrets={await listTaskSecrets(deps, taskId)} {...extra} />, status);
  };

  return new Hono<PageEnv>()
    .post('/tasks/:id/secrets', allow('editor'), async (c) => {
      const taskId = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#secrets-status');
      const body = await c.req.parseBody();
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      const value = typeof body.value === 'string' ? body.value : '';
      const errors = { name: envNameProblem(name), value: secretValueInput.safeParse({ value }).error?.issues[0]?.message };
      if (errors.name || errors.value) {
        // A refused secret comes back with its name as typed; the value is never sent back.
        if (isHtmx(c)) return answer(c, taskId, { errors, typedName: name }, 400);
        throw new AppError(400, `secret not saved: ${errors.name ? `name ${errors.name}` : `value ${errors.value}`}`);
      }
      await setTaskSecret(deps, taskId, name, value, who(c));
      return answer(c, taskId, { notice: `Secret ${name} saved.` });
    })
    .post('/tasks/:id/secrets/:name/delete', allow('editor'), async (c) => {
      const taskId = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#secrets-status');
      const name = secretNameParam(c.req.param('name'));
      await deleteTaskSecret(deps, taskId, name, who(c));
      return answer(c, taskId, { notice: `Secret ${name} deleted.` });
    });
}
