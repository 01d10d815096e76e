import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

export type LostRun = { id: number; taskId: string };

/**
 * Marks `lost` every running run whose runner stopped heartbeating (or was seen dead), flags it for
 * the runners of its host to kill what is left of its process group, and marks those runners stopped.
 * Each lost run is a run's end: the UPDATE fires the triggers finishRun describes (finish.ts):
 * secrets cleared, NOTIFY taskrun_run {id, status: 'lost', ...}, deliveries to the targets that want
 * `lost`, and a retry queued (attempts left, or once with the task's retry_on_lost) by runs_ended
 * (drizzle/functions/taskrun_run_ended.sql).
 */
export async function markLostRuns(db: Db, deadMs: number): Promise<LostRun[]> {
  const rows = await db.execute<{ id: number; task_id: string }>(sql`
    with dead as (
      update runners set stopped_at = now()
      where stopped_at is null and heartbeat_at < now() - make_interval(secs => ${deadMs / 1000}::float8)
      returning id
    ), lost as (
      update runs set status = 'lost', finished_at = now(), needs_reap = pid is not null,
        error = 'its runner stopped heartbeating'
      where status = 'running'
        and (runner_id in (select id from dead) or runner_id in (select id from runners where stopped_at is not null))
      returning id, task_id
    )
    select id, task_id from lost`);
  return rows.map((r) => ({ id: Number(r.id), taskId: r.task_id }));
}

/** Lost runs on this host and boot whose process groups (and run uids) still need killing. */
export async function runsToReap(db: Db, host: string, bootId: string): Promise<{ id: number; pid: number; runUid: number | null }[]> {
  const rows = await db.execute<{ id: number; pid: number; run_uid: number | null }>(
    sql`select id, pid, run_uid from runs where needs_reap and host = ${host} and boot_id = ${bootId}`,
  );
  return rows.map((r) => ({ id: Number(r.id), pid: Number(r.pid), runUid: r.run_uid === null ? null : Number(r.run_uid) }));
}

/** Clears the reap flag once the group is gone. */
export async function markReaped(db: Db, runId: number): Promise<void> {
  await db.execute(sql`update runs set needs_reap = false where id = ${runId}`);
}

/** Runs left on a different boot of this host can have no processes any more. */
export async function forgetOtherBoots(db: Db, host: string, bootId: string): Promise<void> {
  await db.execute(sql`update runs set needs_reap = false where needs_reap and host = ${host} and boot_id <> ${bootId}`);
}

/** A lost run's log size, as its file has it: its runner died before it could record it. */
export async function setLogBytes(db: Db, runId: number, bytes: number): Promise<void> {
  await db.execute(sql`update runs set log_bytes = ${bytes} where id = ${runId}`);
}
