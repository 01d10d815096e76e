import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs } from '../db/schema';

/**
 * Stores a running run's latest progress report; a run that has ended keeps the one it had. No trigger
 * fires (the status does not change): the caller announces it (src/runner/progress-recorder.ts).
 */
export async function setRunProgress(db: Db, runId: number, percent: number, message: string | null, at: Date): Promise<void> {
  await db
    .update(runs)
    .set({ progressPct: percent, progressMsg: message, progressAt: at })
    .where(and(eq(runs.id, runId), eq(runs.status, 'running')));
}
