import { z } from 'zod';
import { seal } from '../auth/secret-box';
import { deleteSecret, listSecrets, upsertSecret } from '../queries/task-secrets';
import { envNameProblem, envValueProblem, MAX_ENV_VARS } from '../tasks/env-vars';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import { requireTask } from './tasks-service';
import { parsePath } from './validate';
import type { Who } from './deps';

// Secrets of a task: environment variables whose values are sealed at rest and never shown again.
// Nothing here returns or audits a value.

/** A secret as the API lists it: its name and when it was set, never its value. */
export const secretSchema = z.object({ name: z.string(), updated_at: z.string() });
export type SecretJson = z.infer<typeof secretSchema>;

/** PUT /api/tasks/:id/secrets/:name and the secrets form. */
export const secretValueInput = z.strictObject(
  {
    value: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty' })
      .superRefine((v, ctx) => {
        const problem = envValueProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  },
  {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.join(', ')}` : 'must be a JSON object {"value": "..."}'),
  },
);

/** A secret name in a URL's path: 400 naming what is wrong. */
export const secretNamePath = z.string().superRefine((value, ctx) => {
  const problem = envNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid secret name: ${problem}`, params: { fields: { name: problem } } });
});

/** A secret name from a URL or a form: 400 naming what is wrong. */
export function secretNameParam(value: string): string {
  return parsePath(secretNamePath, value);
}

/** The names of a task's secrets and when each was set. */
export async function listTaskSecrets(deps: Deps, taskId: string): Promise<SecretJson[]> {
  await requireTask(deps, taskId);
  return (await listSecrets(deps.db, taskId)).map((s) => ({ name: s.name, updated_at: s.updatedAt.toISOString() }));
}

/** Creates or replaces a secret, sealed with the secret key; audited by name only. */
export async function setTaskSecret(deps: Deps, taskId: string, name: string, value: string, who: Who): Promise<void> {
  await requireTask(deps, taskId);
  const names = (await listSecrets(deps.db, taskId)).map((s) => s.name);
  if (!names.includes(name) && names.length >= MAX_ENV_VARS) {
    throw new AppError(409, `a task can have at most ${MAX_ENV_VARS} secrets`);
  }
  const created = await upsertSecret(deps.db, taskId, name, seal(deps.secretKey, value));
  await audit(deps, who, 'secret.set', taskId, { name, created });
}

/** Deletes a secret: 404 when the task or the secret does not exist. */
export async function deleteTaskSecret(deps: Deps, taskId: string, name: string, who: Who): Promise<void> {
  await requireTask(deps, taskId);
  if (!(await deleteSecret(deps.db, taskId, name))) throw new AppError(404, `secret not found: ${name}`);
  await audit(deps, who, 'secret.delete', taskId, { name });
}
