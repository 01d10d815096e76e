import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { perPool } from '../db/per-pool';
import { runs, type RunStatus } from '../db/schema';
import type { Run } from '../db/schema';

const getRunQuery = perPool((db) =>
  db
    .select()
    .from(runs)
    .where(eq(runs.id, sql.placeholder('id')))
    .prepare('taskrun_get_run'),
);

/** One run by id. Built once per pool: it is read on every run request and stream, and drizzle's query building cost more than the query. */
export async function getRun(db: Db, runId: number): Promise<Run | undefined> {
  const rows = await getRunQuery(db).execute({ id: runId });
  return rows[0];
}

export type RunFilter = { taskId?: string; status?: RunStatus; limit: number; before?: number };

/** A page of runs, newest first; `before` is the keyset cursor (the last id of the previous page). */
export async function listRuns(db: Db, f: RunFilter): Promise<{ runs: Run[]; nextCursor: number | null }> {
  const where: SQL[] = [];
  if (f.taskId) where.push(eq(runs.taskId, f.taskId));
  if (f.status) where.push(eq(runs.status, f.status));
  if (f.before !== undefined) where.push(lt(runs.id, f.before));
  const rows = await db
    .select()
    .from(runs)
    .where(and(...where))
    .orderBy(desc(runs.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { runs: page, nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
}

/** For each task, its newest two runs (an active run is always the newest), by index probes per task. */
export async function recentRunsOfTasks(db: Db, taskIds: string[]): Promise<Map<string, Run[]>> {
  const result = new Map<string, Run[]>(taskIds.map((id) => [id, []]));
  if (taskIds.length === 0) return result;
  // One round trip, the task ids as one array parameter (not a list of ids: 2,000 parameters for a
  // thousand tasks); the inner `runs` is the lateral probe's own.
  const rows = await db
    .select()
    .from(runs)
    .where(sql`${runs.id} in (
      select r.id from unnest(${sql.param(taskIds)}::text[]) as t(task_id)
      cross join lateral (select id from runs where runs.task_id = t.task_id order by id desc limit 2) r)`)
    .orderBy(desc(runs.id));
  for (const r of rows) result.get(r.taskId)?.push(r);
  return result;
}

/** The active (queued or running) run of a task, if any. */
export async function activeRunOf(db: Db, taskId: string): Promise<Run | undefined> {
  const rows = await db
    .select()
    .from(runs)
    .where(and(eq(runs.taskId, taskId), inArray(runs.status, ['queued', 'running'])));
  return rows[0];
}

/** How many runs are queued and running, across all runners. */
export async function countActiveRuns(db: Db): Promise<{ queued: number; running: number }> {
  const rows = await db.execute<{ queued: number; running: number }>(sql`
    select count(*) filter (where status = 'queued') as queued, count(*) filter (where status = 'running') as running
    from runs where status in ('queued', 'running')`);
  return { queued: Number(rows[0]?.queued ?? 0), running: Number(rows[0]?.running ?? 0) };
}

/** Running runs on one host, for matching processes to runs. */
export async function runningOnHost(db: Db, host: string): Promise<Pick<Run, 'id' | 'taskId' | 'pid'>[]> {
  return db
    .select({ id: runs.id, taskId: runs.taskId, pid: runs.pid })
    .from(runs)
    .where(and(eq(runs.status, 'running'), eq(runs.host, host)));
}

/** The run that retries `run`, if one was queued: a later run of the same task (so the task_id, id index serves it). */
export async function retryOfRun(db: Db, run: { id: number; taskId: string }): Promise<number | null> {
  const rows = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.taskId, run.taskId), gt(runs.id, run.id), eq(runs.retryOf, run.id)))
    .orderBy(asc(runs.id))
    .limit(1);
  return rows[0]?.id ?? null;
}
