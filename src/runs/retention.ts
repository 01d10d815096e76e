import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { LOCK } from '../db/locks';

/**
 * Deletes up to `batch` ended runs older than their task's retention (else `defaultDays`; 0 keeps
 * forever) with their samples, returning them so their log files can go too. Null when another node
 * holds the retention lock: one node at a time does this work.
 */
export async function deleteOldRuns(db: Db, defaultDays: number, batch: number): Promise<{ id: number; taskId: string }[] | null> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ ok: boolean }>(sql`select pg_try_advisory_xact_lock(${LOCK.retention}) as ok`);
    if (!lock?.ok) return null;
    const rows = await tx.execute<{ id: number; task_id: string }>(sql`
      with old as (
        select r.id from runs r left join tasks t on t.id = r.task_id
        where r.status not in ('queued', 'running') and not r.needs_reap
          and coalesce(t.retention_days, ${defaultDays}::int) > 0
          and r.finished_at < now() - make_interval(days => coalesce(t.retention_days, ${defaultDays}::int))
        limit ${batch}
      ), gone as (delete from runs where id in (select id from old) returning id, task_id),
      samples as (delete from run_samples where run_id in (select id from gone))
      select id, task_id from gone`);
    return rows.map((r) => ({ id: Number(r.id), taskId: r.task_id }));
  });
}
