import { getTableColumns, sql, type Table } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs, tasks } from '../db/schema';
import type { Run } from '../db/schema';
import { settingsOf, type TaskSettings } from '../queries/task-settings';

export type Claimer = { runnerId: string; host: string; bootId: string };

/** A claimed run with what starting it needs: its task's settings and sealed secrets, read in the same statement. */
export type ClaimedRun = Run & { settings: TaskSettings; secrets: { name: string; sealed: string }[] };

// A row turned to JSON by Postgres (to_jsonb) into drizzle's shape: camelCase keys, Dates, numbers.
function fromJson<T extends Table>(table: T, json: Record<string, unknown>): T['$inferSelect'] {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    const v = json[col.name];
    out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return out as T['$inferSelect'];
}

/**
 * Moves up to `limit` queued runs, oldest first, to `running` for this runner; others skip rows it holds.
 * A retry waiting out its delay stays queued (and holds its task) until not_before. Each claimed run
 * sends NOTIFY taskrun_run {id, status: 'running', task_id, queue_ms} (runs_notify_update,
 * drizzle/functions/taskrun_run_notify.sql).
 */
export async function claimRuns(db: Db, by: Claimer, limit: number): Promise<ClaimedRun[]> {
  if (limit <= 0) return [];
  const rows = await db.execute<{
    run: Record<string, unknown>;
    task: Record<string, unknown> | null;
    secrets: { name: string; sealed: string }[];
  }>(sql`
    with picked as (
      select id from runs
      where status = 'queued' and (not_before is null or not_before <= now())
      order by id limit ${limit}
      for update skip locked
    ), claimed as (
      update runs set status = 'running', runner_id = ${by.runnerId}, host = ${by.host}, boot_id = ${by.bootId}, started_at = now()
      where id in (select id from picked)
      returning *
    )
    select to_jsonb(c) as run, to_jsonb(t) as task,
      coalesce((select jsonb_agg(jsonb_build_object('name', s.name, 'sealed', s.sealed) order by s.name)
                from task_secrets s where s.task_id = c.task_id), '[]'::jsonb) as secrets
    from claimed c left join tasks t on t.id = c.task_id
    order by c.id`);
  return rows.map((r) => ({
    ...fromJson(runs, r.run),
    settings: settingsOf(r.task ? fromJson(tasks, r.task) : undefined),
    secrets: r.secrets,
  }));
}

/**
 * Records the process group of a started run, so a later runner on this host can end it if we die, and
 * the uid it runs as (null without one), so its processes can be told apart from others'.
 */
export async function setRunPid(db: Db, runId: number, pid: number, uid: number | undefined): Promise<void> {
  await db.execute(sql`update runs set pid = ${pid}, run_uid = ${uid ?? null} where id = ${runId}`);
}
