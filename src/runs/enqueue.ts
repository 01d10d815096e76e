import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { ParamValues } from '../tasks/params';

export type EnqueueResult = { outcome: 'queued'; runId: number } | { outcome: 'active'; runId: number } | { outcome: 'full' };

export type EnqueueInput = {
  taskId: string;
  timeoutS: number;
  trigger: string;
  maxQueued: number;
  runnerDeadS: number;
  params?: ParamValues;
  // Secret parameter values, sealed (src/auth/secret-box.ts); cleared when the run ends.
  sealedSecrets?: string | null;
  maxAttempts?: number;
  // The audit row of the execute, written in the same call when the run is queued.
  audit?: { actor: string; ip: string | null; details?: Record<string, unknown> };
};

/**
 * Puts a `queued` run in the queue, unless the task already has an active run or the queue is full:
 * one call of taskrun_enqueue (drizzle/functions/taskrun_enqueue.sql), which takes LOCK.enqueue
 * (src/db/locks.ts), writes the audit row when `audit` is given, and whose INSERT sends NOTIFY
 * taskrun_wake and taskrun_run {id, status: 'queued', task_id} (runs_notify_insert, taskrun_run_notify.sql).
 */
export async function enqueueRun(db: Db, input: EnqueueInput): Promise<EnqueueResult> {
  const rows = await db.execute<{ outcome: string; run_id: number | null }>(
    sql`select outcome, run_id from taskrun_enqueue(${input.taskId}, ${input.timeoutS}, ${input.trigger}, ${input.maxQueued}, ${input.runnerDeadS},
      ${JSON.stringify(input.params ?? {})}::jsonb, ${input.sealedSecrets ?? null}, ${input.maxAttempts ?? 1},
      ${input.audit?.actor ?? null}, ${input.audit?.ip ?? null}, ${JSON.stringify(input.audit?.details ?? {})}::jsonb)`,
  );
  const row = rows[0];
  if (row?.outcome === 'queued' || row?.outcome === 'active') return { outcome: row.outcome, runId: Number(row.run_id) };
  return { outcome: 'full' };
}
