import { CHANNEL } from '../db/notify';
import { z } from 'zod';
import { FIRE_OUTCOMES, MISSED_POLICIES, RUN_STATUSES } from '../db/schema';
import { listFires, type FireRecord } from '../queries/schedule-fires';
import {
  deleteSchedule as deleteRow,
  getSchedule,
  insertSchedule,
  lastFires,
  listSchedules,
  updateSchedule as updateRow,
  type Schedule,
  type ScheduleFire,
  type SchedulePatch,
} from '../queries/schedules';
import { getOneTaskSettings } from '../queries/task-settings';
import { nextFires } from '../scheduler/cron';
import { findTaskFile } from '../tasks/task-files';
import { checkParams, type ParamDef, type ParamValues } from '../tasks/params';
import { actorName } from '../auth/roles';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Deps } from './deps';
import type { CreateScheduleInput, UpdateScheduleInput } from './schedule-input';
import { paramValuesSchema } from '../runs/json';
import type { Who } from './deps';

/** A fire record as the API shows it; `run_status` is the status its run has now. */
export const fireSchema = z.object({
  schedule_id: z.number().int(),
  task_id: z.string(),
  fire_at: z.string(),
  decided_at: z.string(),
  outcome: z.enum(FIRE_OUTCOMES),
  run_id: z.number().int().nullable(),
  run_status: z.enum(RUN_STATUSES).nullable(),
  detail: z.string().nullable(),
});
export type FireJson = z.infer<typeof fireSchema>;

/** A page of a schedule's fire records, newest first; pass `next_before` back as `before` for older ones. */
export const firesPageSchema = z.object({ fires: z.array(fireSchema), next_before: z.string().nullable() });

/** A schedule as the API shows it. `next_fires` is empty while it is paused. */
export const scheduleSchema = z.object({
  schedule_id: z.number().int(),
  task_id: z.string(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  missed_policy: z.enum(MISSED_POLICIES),
  params: paramValuesSchema,
  created_by: z.string(),
  created_at: z.string(),
  active_since: z.string(),
  last_fire: z
    .object({ fire_at: z.string(), outcome: z.enum(FIRE_OUTCOMES), run_id: z.number().int().nullable(), detail: z.string().nullable() })
    .nullable(),
  next_fires: z.array(z.string()),
});
export type ScheduleJson = z.infer<typeof scheduleSchema>;

/** The next five fire times of a cron expression. */
export const previewSchema = z.object({ next_fires: z.array(z.string()) });

const NEXT = 5;

function safeNextFires(cron: string, timezone: string, from: Date): string[] {
  try {
    return nextFires(cron, timezone, from, NEXT).map((d) => d.toISOString());
  } catch {
    return []; // only a row written around the API could hold a pattern croner refuses
  }
}

function scheduleJson(s: Schedule, last: ScheduleFire | undefined, now: Date): ScheduleJson {
  return {
    schedule_id: s.id,
    task_id: s.taskId,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    missed_policy: s.missedPolicy,
    params: s.params,
    created_by: s.createdBy,
    created_at: s.createdAt.toISOString(),
    active_since: s.activeSince.toISOString(),
    last_fire: last ? { fire_at: last.fireAt.toISOString(), outcome: last.outcome, run_id: last.runId, detail: last.detail } : null,
    next_fires: s.enabled ? safeNextFires(s.cron, s.timezone, now) : [],
  };
}

/** A fire record as the API shows it. */
export function fireJson(f: FireRecord): FireJson {
  return {
    schedule_id: f.scheduleId,
    task_id: f.taskId,
    fire_at: f.fireAt.toISOString(),
    decided_at: f.decidedAt.toISOString(),
    outcome: f.outcome,
    run_id: f.runId,
    run_status: f.runStatus,
    detail: f.detail,
  };
}

async function withLastFires(deps: Deps, rows: Schedule[]): Promise<ScheduleJson[]> {
  const last = await lastFires(
    deps.db,
    rows.map((s) => s.id),
  );
  const now = new Date();
  return rows.map((s) => scheduleJson(s, last.get(s.id), now));
}

async function requireTask(deps: Deps, id: string): Promise<void> {
  if (!(await findTaskFile(deps.cfg.tasksDir, id))) throw new AppError(404, `task not found: ${id}`);
}

async function requireSchedule(deps: Deps, id: number): Promise<Schedule> {
  const s = await getSchedule(deps.db, id);
  if (!s) throw new AppError(404, `schedule not found: ${id}`);
  return s;
}

/**
 * Checks a schedule's parameter values against the task's declared parameters: 400 naming each field
 * (`params.NAME`). A secret parameter cannot be given a value here: a schedule's values are stored in
 * the clear and shown to every viewer. Returns the given values as their types ("5" → 5 for an integer).
 */
function checkScheduleParams(defs: ParamDef[], params: ParamValues): ParamValues {
  const errors: Record<string, string> = {};
  const secret = new Set(defs.filter((d) => d.type === 'secret').map((d) => d.name));
  for (const name of Object.keys(params)) if (secret.has(name)) errors[name] = 'is a secret parameter: a schedule cannot give it a value';
  const given = Object.fromEntries(Object.entries(params).filter(([k, v]) => !secret.has(k) && v !== ''));
  const checked = checkParams(defs, given);
  if ('errors' in checked) {
    for (const [name, message] of Object.entries(checked.errors)) {
      errors[name] ??= secret.has(name)
        ? 'is a required secret parameter, which a schedule cannot give: this task cannot be scheduled'
        : message;
    }
  }
  const fields = Object.fromEntries(Object.entries(errors).map(([k, v]) => [`params.${k}`, v]));
  if (Object.keys(fields).length > 0 || 'errors' in checked) {
    throw new AppError(
      400,
      Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
      { fields },
    );
  }
  // Only what was given is kept: a parameter left out gets the task's default as it is at fire time.
  return Object.fromEntries(Object.keys(given).map((k) => [k, checked.values[k]!]));
}

/** Every schedule, or those of one task, with its last fire and next five fire times. */
export async function listSchedulesJson(deps: Deps, taskId?: string): Promise<ScheduleJson[]> {
  return withLastFires(deps, await listSchedules(deps.db, taskId));
}

/** The schedules of a task; 404 when there is no such task. */
export async function listTaskSchedules(deps: Deps, taskId: string): Promise<ScheduleJson[]> {
  await requireTask(deps, taskId);
  return listSchedulesJson(deps, taskId);
}

/** One schedule; 404 when unknown. */
export async function getScheduleJson(deps: Deps, id: number): Promise<ScheduleJson> {
  return (await withLastFires(deps, [await requireSchedule(deps, id)]))[0]!;
}

// Every scheduler reloads its schedules when told.
const announce = (deps: Deps, id: number) => deps.notify(CHANNEL.schedules, String(id));

/** Adds a schedule to a task: 404 unknown task, 400 naming a bad field or parameter. */
export async function createSchedule(deps: Deps, taskId: string, input: CreateScheduleInput, who: Who): Promise<ScheduleJson> {
  await requireTask(deps, taskId);
  const params = checkScheduleParams((await getOneTaskSettings(deps.db, taskId)).params, input.params);
  const s = await insertSchedule(deps.db, {
    taskId,
    cron: input.cron,
    timezone: input.timezone,
    enabled: input.enabled,
    missedPolicy: input.missed_policy,
    params,
    createdBy: actorName(who.principal),
  });
  announce(deps, s.id);
  await audit(deps, who, 'schedule.create', taskId, {
    schedule_id: s.id,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    missed_policy: s.missedPolicy,
    params: s.params,
  });
  return scheduleJson(s, undefined, new Date());
}

/**
 * Changes a schedule. Resuming it, or a new cron or zone, makes it active from now: fire times while
 * it was paused (or under the old timing) are neither run nor counted as missed.
 */
export async function updateSchedule(deps: Deps, id: number, input: UpdateScheduleInput, who: Who): Promise<ScheduleJson> {
  const before = await requireSchedule(deps, id);
  const params =
    input.params === undefined ? undefined : checkScheduleParams((await getOneTaskSettings(deps.db, before.taskId)).params, input.params);
  const patch: SchedulePatch = {
    cron: input.cron,
    timezone: input.timezone,
    enabled: input.enabled,
    missedPolicy: input.missed_policy,
    params,
  };
  const restart =
    (input.enabled === true && !before.enabled) ||
    (input.cron !== undefined && input.cron !== before.cron) ||
    (input.timezone !== undefined && input.timezone !== before.timezone);
  const s = await updateRow(deps.db, id, patch, restart);
  if (!s) throw new AppError(404, `schedule not found: ${id}`);
  announce(deps, id);
  const changed = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  await audit(deps, who, 'schedule.edit', s.taskId, { schedule_id: id, ...changed });
  return getScheduleJson(deps, id);
}

/** Deletes a schedule and its fire records (the runs it made stay). */
export async function deleteSchedule(deps: Deps, id: number, who: Who): Promise<Schedule> {
  const s = await deleteRow(deps.db, id);
  if (!s) throw new AppError(404, `schedule not found: ${id}`);
  announce(deps, id);
  await audit(deps, who, 'schedule.delete', s.taskId, { schedule_id: id, cron: s.cron, timezone: s.timezone });
  return s;
}

/** A page of a schedule's fire records, newest first; pass `next_before` back as `before` for older ones. */
export async function scheduleFires(
  deps: Deps,
  id: number,
  q: { limit: number; before?: Date },
): Promise<{ fires: FireJson[]; next_before: string | null }> {
  await requireSchedule(deps, id);
  const rows = await listFires(deps.db, { scheduleId: id, limit: q.limit, before: q.before });
  const last = rows.at(-1);
  return { fires: rows.map(fireJson), next_before: rows.length === q.limit && last ? last.fireAt.toISOString() : null };
}

/** The latest fire records of every schedule, for the Schedules page. */
export async function recentFires(deps: Deps, limit: number, scheduleId?: number): Promise<FireJson[]> {
  return (await listFires(deps.db, { scheduleId, limit })).map(fireJson);
}

/** The next five fire times of a cron expression in a zone, from now. */
export function previewSchedule(cron: string, timezone: string): { next_fires: string[] } {
  return { next_fires: nextFires(cron, timezone, new Date(), NEXT).map((d) => d.toISOString()) };
}
