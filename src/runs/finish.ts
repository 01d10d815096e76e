import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs, type RunStatus } from '../db/schema';

export type RunEnd = {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  logBytes: number;
  // What its process tree used, from the runner's resource sampler; null when it ended before a reading.
  peakRssBytes?: number | null;
  cpuSeconds?: number | null;
};

/**
 * Records how a run ended; only the runner holding it can, so a run already marked lost stays lost.
 * The one UPDATE also does, through triggers on runs, in its transaction (drizzle/functions/):
 * - runs_ending (taskrun_run_ending.sql) clears the run's sealed secret parameters;
 * - runs_notify_update (taskrun_run_notify.sql) sends NOTIFY taskrun_run {id, status, task_id, duration_ms};
 * - runs_ended (taskrun_run_ended.sql) queues a notification_deliveries row per matching target (then
 *   NOTIFY taskrun_notify), and, for failed or timeout with attempts left, the retry: a new queued run
 *   whose INSERT sends NOTIFY taskrun_wake and taskrun_run. retryOfRun (read.ts) finds it.
 * Triggers rather than calls from here: a run's end costs one statement, and every way a run ends
 * (here, cancelRun, markLostRuns) gets the same side effects.
 */
export async function finishRun(db: Db, runId: number, runnerId: string, end: RunEnd): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ ...end, finishedAt: new Date() })
    .where(and(eq(runs.id, runId), eq(runs.status, 'running'), eq(runs.runnerId, runnerId)))
    .returning({ id: runs.id });
  return rows.length === 1;
}
