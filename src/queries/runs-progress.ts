import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs } from '../db/schema';

/** Stores a running run's latest progress report; a run that has ended keeps the one it had. */
export async function setRunProgress(db: Db, runId: number, percent: number, message: string | null, at: Date): Promise<void> {
  await db
    .update(runs)
    .set({ progressPct: percent, progressMsg: message, progressAt: at })
    .where(and(eq(runs.id, runId), eq(runs.status, 'running')));
}
