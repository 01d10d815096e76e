import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tasks } from '../db/schema';
import type { ParamDef } from '../tasks/params';

export type TaskSettings = {
  description: string;
  timeoutS: number | null;
  // Resource limits; null: the environment's default.
  maxRssBytes: number | null;
  maxCpuPct: number | null;
  limitGraceS: number | null;
  // Isolation and kernel-enforced limits (null: the runner's RUN_MAX_* defaults).
  isolation: 'standard' | 'strict';
  network: boolean;
  maxProcesses: number | null;
  maxMemoryBytes: number | null;
  maxFileBytes: number | null;
  maxOpenFiles: number | null;
  maxCpuSeconds: number | null;
  retryOnLost: boolean;
  retentionDays: number | null;
  params: ParamDef[];
  env: Record<string, string>;
  maxRetries: number;
  retryDelayS: number;
};
const DEFAULTS: TaskSettings = {
  description: '',
  timeoutS: null,
  maxRssBytes: null,
  maxCpuPct: null,
  limitGraceS: null,
  retryOnLost: false,
  retentionDays: null,
  isolation: 'standard',
  network: true,
  maxProcesses: null,
  maxMemoryBytes: null,
  maxFileBytes: null,
  maxOpenFiles: null,
  maxCpuSeconds: null,
  params: [],
  env: {},
  maxRetries: 0,
  retryDelayS: 0,
};

/** A task's settings from its row; the defaults when it has none. */
export function settingsOf(r: typeof tasks.$inferSelect | undefined): TaskSettings {
  if (!r) return DEFAULTS;
  return {
    description: r.description,
    timeoutS: r.timeoutS,
    maxRssBytes: r.maxRssBytes,
    maxCpuPct: r.maxCpuPct,
    limitGraceS: r.limitGraceS,
    retryOnLost: r.retryOnLost,
    retentionDays: r.retentionDays,
    params: r.params,
    env: r.env,
    maxRetries: r.maxRetries,
    retryDelayS: r.retryDelayS,
    isolation: r.isolation,
    network: r.network,
    maxProcesses: r.maxProcesses,
    maxMemoryBytes: r.maxMemoryBytes,
    maxFileBytes: r.maxFileBytes,
    maxOpenFiles: r.maxOpenFiles,
    maxCpuSeconds: r.maxCpuSeconds,
  };
}

/** Settings of the given tasks, defaults for those with no row. */
export async function getTaskSettings(db: Db, ids: string[]): Promise<Map<string, TaskSettings>> {
  const rows = ids.length === 0 ? [] : await db.select().from(tasks).where(inArray(tasks.id, ids));
  const found = new Map(rows.map((r) => [r.id, settingsOf(r)]));
  return new Map(ids.map((id) => [id, found.get(id) ?? DEFAULTS]));
}

/** One task's settings. */
export async function getOneTaskSettings(db: Db, id: string): Promise<TaskSettings> {
  return (await getTaskSettings(db, [id])).get(id) ?? DEFAULTS;
}

/** Creates or changes a task's settings; fields left undefined keep their value. */
export async function saveTaskSettings(db: Db, id: string, patch: Partial<TaskSettings>): Promise<void> {
  const set = { ...patch, updatedAt: new Date() };
  await db
    .insert(tasks)
    .values({ id, ...patch })
    .onConflictDoUpdate({ target: tasks.id, set });
}

/** Forgets a task's settings (its runs stay in the history). */
export async function deleteTaskSettings(db: Db, id: string): Promise<void> {
  await db.delete(tasks).where(eq(tasks.id, id));
}

/** Every task's description by id (tasks with no settings row have none): what the task list filters on. */
export async function taskDescriptions(db: Db): Promise<Map<string, string>> {
  const rows = await db.select({ id: tasks.id, description: tasks.description }).from(tasks);
  return new Map(rows.map((r) => [r.id, r.description]));
}
