import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs } from '../db/schema';
import type { Run } from './run-types';

export type Claimer = { runnerId: string; host: string; bootId: string };

/** Moves up to `limit` queued runs, oldest first, to `running` for this runner; others skip rows it holds. */
export async function claimRuns(db: Db, by: Claimer, limit: number): Promise<Run[]> {
  if (limit <= 0) return [];
  const oldest = db
    .select({ id: runs.id })
    .from(runs)
    // A retry waiting out its delay stays queued (and holds its task) until not_before.
    .where(and(eq(runs.status, 'queued'), or(isNull(runs.notBefore), lte(runs.notBefore, sql`now()`))))
    .orderBy(runs.id)
    .limit(limit)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(runs)
    .set({ status: 'running', runnerId: by.runnerId, host: by.host, bootId: by.bootId, startedAt: new Date() })
    .where(inArray(runs.id, oldest))
    .returning();
  return claimed.sort((a, b) => a.id - b.id);
}

/** Records the process group of a started run, so a later runner on this host can end it if we die. */
export async function setRunPid(db: Db, runId: number, pid: number): Promise<void> {
  await db.update(runs).set({ pid }).where(eq(runs.id, runId));
}
