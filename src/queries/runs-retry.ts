import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs } from '../db/schema';

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
