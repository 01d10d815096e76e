import { z } from 'zod';
import { actorName } from '../auth/roles';
import { randomSecret, sha256 } from '../auth/secrets';
import { insertWebhook, listWebhooks, revokeWebhook, type Webhook } from '../queries/webhooks';
import { findTaskFile } from '../tasks/task-files';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import { displayName, strictObjectError } from './name-input';
import type { Who } from './deps';

/** POST /api/tasks/:id/webhooks and the task page's form. */
export const newWebhookInput = z.strictObject({ name: displayName }, strictObjectError);

/** A webhook secret as it appears in /hooks/:secret: `whk_` and 32 random bytes, base64url. */
export const HOOK_SECRET_RE = /^whk_[A-Za-z0-9_-]{43}$/;

/** A webhook as the API shows it: never its secret (only its hash is kept). */
export const webhookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  created_by: z.string(),
});
export type WebhookJson = z.infer<typeof webhookSchema>;

/** A new webhook: the only answer that carries its secret and URL. */
export const newWebhookSchema = z.object({ id: z.number().int(), name: z.string(), url: z.string(), secret: z.string() });
export type NewWebhookJson = z.infer<typeof newWebhookSchema>;

const toJson = (w: Webhook): WebhookJson => ({
  id: w.id,
  name: w.name,
  created_at: w.createdAt.toISOString(),
  last_used_at: w.lastUsedAt?.toISOString() ?? null,
  revoked_at: w.revokedAt?.toISOString() ?? null,
  created_by: w.createdBy,
});

/** 404 unless the task's script exists. */
export async function requireTaskFile(deps: Pick<Deps, 'cfg'>, taskId: string): Promise<void> {
  if (!(await findTaskFile(deps.cfg.tasksDir, taskId))) throw new AppError(404, `task not found: ${taskId}`);
}

/** The URL a webhook is called at. */
export function hookUrl(deps: Pick<Deps, 'cfg'>, secret: string): string {
  return `${deps.cfg.publicUrl}/hooks/${secret}`;
}

/** A task's webhooks, active first. */
export async function taskWebhooks(deps: Deps, taskId: string): Promise<WebhookJson[]> {
  await requireTaskFile(deps, taskId);
  return (await listWebhooks(deps.db, taskId)).map(toJson);
}

/** Creates a webhook for a task and returns its secret: the only time it is ever shown. */
export async function createWebhook(deps: Deps, who: Who, taskId: string, name: string): Promise<NewWebhookJson> {
  await requireTaskFile(deps, taskId);
  const secret = randomSecret('whk_');
  const hook = await insertWebhook(deps.db, { taskId, name, secretHash: sha256(secret), createdBy: actorName(who.principal) });
  await audit(deps, who, 'webhook.create', taskId, { webhook_id: hook.id, name });
  return { id: hook.id, name: hook.name, url: hookUrl(deps, secret), secret };
}

/** Revokes a webhook (the row stays for the record); 404 when there is no active one with that id. */
export async function revokeWebhookById(deps: Deps, who: Who, id: number): Promise<Webhook> {
  const hook = await revokeWebhook(deps.db, id);
  if (!hook) throw new AppError(404, `no active webhook ${id}`);
  await audit(deps, who, 'webhook.revoke', hook.taskId, { webhook_id: id, name: hook.name });
  return hook;
}
