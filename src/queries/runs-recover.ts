import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

export type LostRun = { id: number; taskId: string; requeued: boolean };

/**
 * Marks `lost` every running run whose runner stopped heartbeating (or was seen dead), flags it for
 * the runners of its host to kill what is left of its process group, and queues it once more when its
 * task says `retry_on_lost` (once: a retry that is lost again stays lost).
 */
export async function markLostRuns(db: Db, deadMs: number): Promise<LostRun[]> {
  const rows = await db.execute<{ id: number; task_id: string; requeued: boolean }>(sql`
    with dead as (
      update runners set stopped_at = now()
      where stopped_at is null and heartbeat_at < now() - make_interval(secs => ${deadMs / 1000}::float8)
      returning id
    ), lost as (
      update runs set status = 'lost', finished_at = now(), needs_reap = pid is not null,
        error = 'its runner stopped heartbeating'
      where status = 'running'
        and (runner_id in (select id from dead) or runner_id in (select id from runners where stopped_at is not null))
      returning id, task_id, timeout_s, attempt, retry_of
    ), requeued as (
      insert into runs (task_id, timeout_s, trigger, attempt, retry_of)
      select l.task_id, l.timeout_s, 'retry', l.attempt + 1, l.id
      from lost l join tasks t on t.id = l.task_id and t.retry_on_lost
      where l.retry_of is null
      on conflict do nothing
      returning retry_of
    )
    select l.id, l.task_id, exists (select 1 from requeued q where q.retry_of = l.id) as requeued from lost l`);
  return rows.map((r) => ({ id: Number(r.id), taskId: r.task_id, requeued: r.requeued }));
}

/** Lost runs on this host and boot whose process groups still need killing. */
export async function runsToReap(db: Db, host: string, bootId: string): Promise<{ id: number; pid: number }[]> {
  const rows = await db.execute<{ id: number; pid: number }>(
    sql`select id, pid from runs where needs_reap and host = ${host} and boot_id = ${bootId}`,
  );
  return rows.map((r) => ({ id: Number(r.id), pid: Number(r.pid) }));
}

/** Clears the reap flag once the group is gone. */
export async function markReaped(db: Db, runId: number): Promise<void> {
  await db.execute(sql`update runs set needs_reap = false where id = ${runId}`);
}

/** Runs left on a different boot of this host can have no processes any more. */
export async function forgetOtherBoots(db: Db, host: string, bootId: string): Promise<void> {
  await db.execute(sql`update runs set needs_reap = false where needs_reap and host = ${host} and boot_id <> ${bootId}`);
}
