import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { RunStatus } from '../db/schema';

export type CancelResult = { outcome: 'canceled' | 'requested' } | { outcome: 'finished'; status: RunStatus } | { outcome: 'missing' };

/**
 * A queued run is canceled at once; a running one is flagged for its runner to stop (the caller sends
 * NOTIFY taskrun_cancel; the runner ends it with finishRun, status canceled).
 * Canceling a queued run is a run's end: the UPDATE fires the triggers finishRun describes
 * (finish.ts): its secrets are cleared, NOTIFY taskrun_run {id, status: 'canceled', task_id},
 * deliveries to the targets that want `canceled`. A canceled run is never retried.
 */
export async function cancelRun(db: Db, runId: number): Promise<CancelResult> {
  const rows = await db.execute<{ status: RunStatus; changed: boolean }>(sql`
    with changed as (
      update runs set
        status = case when status = 'queued' then 'canceled' else status end,
        finished_at = case when status = 'queued' then now() else finished_at end,
        cancel_requested = true
      where id = ${runId} and status in ('queued', 'running')
      returning status
    )
    select status, true as changed from changed
    union all
    select status, false from runs where id = ${runId} and not exists (select 1 from changed)`);
  const row = rows[0];
  if (!row) return { outcome: 'missing' };
  if (!row.changed) return { outcome: 'finished', status: row.status };
  return { outcome: row.status === 'canceled' ? 'canceled' : 'requested' };
}

/** Ids among `runIds` whose cancel was requested: the runner's fallback when a NOTIFY was missed. */
export async function cancelRequested(db: Db, runIds: number[]): Promise<number[]> {
  if (runIds.length === 0) return [];
  const rows = await db.execute<{ id: number }>(
    sql`select id from runs where id = any(${sql.param(runIds)}::int8[]) and cancel_requested and status = 'running'`,
  );
  return rows.map((r) => Number(r.id));
}
