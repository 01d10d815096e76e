import { actorName, roleAtLeast } from '../auth/roles';
import { seal } from '../auth/secret-box';
import { randomSecret } from '../auth/secrets';
import { z } from 'zod';
import { DELIVERY_STATUSES, NOTIFY_EVENTS } from '../db/schema';
import { listDeliveries } from '../queries/notification-log';
import { deleteTarget, getTarget, insertTarget, listTargets, updateTarget, type NotificationTarget } from '../queries/notification-targets';
import { targetHostProblem } from '../outbound/address-policy';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import type { DeliveriesQuery, NewTargetInput, TargetPatch } from './notification-input';
import { requireTaskFile } from './webhooks-service';
import type { Who } from './deps';

/** A notification target as the API shows it (never its signing key). `task_id` null: global. */
export const targetSchema = z.object({
  id: z.number().int(),
  task_id: z.string().nullable(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.enum(NOTIFY_EVENTS)),
  enabled: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
});
export type TargetJson = z.infer<typeof targetSchema>;

/** A new target: the only answer that carries its signing key (`secret`). */
export const newTargetSchema = targetSchema.extend({ secret: z.string() });

/** One attempt of a delivery: the response status, or why there was none. */
export const attemptSchema = z.object({
  at: z.string(),
  response_status: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number(),
});
export type AttemptJson = z.infer<typeof attemptSchema>;

/** One notification of one run to one target, with each attempt. */
export const deliverySchema = z.object({
  id: z.number().int(),
  run_id: z.number().int(),
  event: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  attempts: z.array(attemptSchema),
});
export type DeliveryJson = z.infer<typeof deliverySchema>;

/** A page of a target's delivery log, newest first; pass `next_cursor` back as `before` for older ones. */
export const deliveriesPageSchema = z.object({ deliveries: z.array(deliverySchema), next_cursor: z.string().nullable() });

const toJson = (t: NotificationTarget): TargetJson => ({
  id: t.id,
  task_id: t.taskId,
  name: t.name,
  url: t.url,
  events: t.events,
  enabled: t.enabled,
  created_by: t.createdBy,
  created_at: t.createdAt.toISOString(),
});

// A URL whose host is refused (a metadata address in any spelling, a host NOTIFY_ALLOWED_HOSTS leaves
// out) is a 400 on `url`; a name is resolved only when sent, and each address it gives is checked then.
function checkTargetHost(deps: Deps, url: string): void {
  const problem = targetHostProblem(new URL(url), deps.cfg.notifyAllowedHosts);
  if (problem) throw new AppError(400, `url: ${problem}`, { fields: { url: problem } });
}

// Task targets are the task's editors' business; global ones (every task's runs) are the admins'.
function requireScope(who: Who, target: NotificationTarget): void {
  const role = who.principal?.role;
  if (target.taskId === null && (!role || !roleAtLeast(role, 'admin'))) {
    throw new AppError(403, `a global notification target needs the admin role (you are ${role ?? 'anonymous'})`);
  }
}

/** A target the caller may see and change: 404 unknown, 403 global for a non-admin. */
export async function targetFor(deps: Deps, who: Who, id: number): Promise<TargetJson> {
  const target = await getTarget(deps.db, id);
  if (!target) throw new AppError(404, `no notification target ${id}`);
  requireScope(who, target);
  return toJson(target);
}

/** The targets of a task (`taskId`), or the global ones (null). */
export async function targetsOf(deps: Deps, taskId: string | null): Promise<TargetJson[]> {
  if (taskId !== null) await requireTaskFile(deps, taskId);
  return (await listTargets(deps.db, taskId)).map(toJson);
}

/** Creates a target with a new signing key and returns the key: the only time it is ever shown. */
export async function createTarget(
  deps: Deps,
  who: Who,
  taskId: string | null,
  input: NewTargetInput,
): Promise<TargetJson & { secret: string }> {
  if (taskId !== null) await requireTaskFile(deps, taskId);
  checkTargetHost(deps, input.url);
  const secret = randomSecret('whsec_');
  const target = await insertTarget(deps.db, {
    taskId,
    name: input.name,
    url: input.url,
    events: input.events,
    sealedSecret: seal(deps.secretKey, secret),
    createdBy: actorName(who.principal),
  });
  await audit(deps, who, 'notification.create', taskId ?? 'global', {
    target_id: target.id,
    name: target.name,
    host: new URL(target.url).host,
    events: target.events,
  });
  return { ...toJson(target), secret };
}

/** Changes a target's name, URL, events or whether it is enabled. */
export async function patchTarget(deps: Deps, who: Who, id: number, patch: TargetPatch): Promise<TargetJson> {
  const before = await targetFor(deps, who, id);
  if (patch.url !== undefined) checkTargetHost(deps, patch.url);
  const target = await updateTarget(deps.db, id, patch);
  if (!target) throw new AppError(404, `no notification target ${id}`);
  await audit(deps, who, 'notification.edit', before.task_id ?? 'global', {
    target_id: id,
    fields: Object.keys(patch),
    enabled: target.enabled,
  });
  return toJson(target);
}

/** Deletes a target and its delivery log. */
export async function removeTarget(deps: Deps, who: Who, id: number): Promise<TargetJson> {
  const target = await targetFor(deps, who, id);
  if (!(await deleteTarget(deps.db, id))) throw new AppError(404, `no notification target ${id}`);
  await audit(deps, who, 'notification.delete', target.task_id ?? 'global', { target_id: id, name: target.name });
  return target;
}

/** A page of a target's delivery log, newest first, each delivery with its attempts. */
export async function targetDeliveries(
  deps: Deps,
  who: Who,
  id: number,
  q: DeliveriesQuery,
): Promise<{ deliveries: DeliveryJson[]; next_cursor: string | null }> {
  await targetFor(deps, who, id);
  const page = await listDeliveries(deps.db, id, { limit: q.limit, before: q.before });
  return {
    deliveries: page.deliveries.map((d) => ({
      id: d.id,
      run_id: d.runId,
      event: d.event,
      status: d.status,
      created_at: d.createdAt.toISOString(),
      finished_at: d.finishedAt?.toISOString() ?? null,
      next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      attempts: d.tries.map((a) => ({
        at: a.at.toISOString(),
        response_status: a.responseStatus,
        error: a.error,
        duration_ms: a.durationMs,
      })),
    })),
    next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
  };
}
