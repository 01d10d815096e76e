import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs } from '../db/schema';
import type { Run } from '../db/schema';

/** A run's latest `::progress` report as the API shows it. */
export type ProgressJson = { percent: number; message: string | null; at: string; eta_s: number | null };

/**
 * Seconds left if the rest goes as fast as what is done: elapsed × (100 − p) / p, elapsed from the
 * start to the report. Null at 0%, when nothing is known yet.
 */
export function etaSeconds(percent: number, startedAt: Date, at: Date): number | null {
  if (!(percent > 0)) return null;
  const elapsedS = Math.max(0, at.getTime() - startedAt.getTime()) / 1000;
  return Math.round((elapsedS * (100 - percent)) / percent);
}

/** A run's progress: null until it reported any; the time left only while it is running. */
export function progressJson(run: Pick<Run, 'status' | 'startedAt' | 'progressPct' | 'progressMsg' | 'progressAt'>): ProgressJson | null {
  if (run.progressPct === null || run.progressAt === null) return null;
  const running = run.status === 'running' && run.startedAt !== null;
  return {
    percent: run.progressPct,
    message: run.progressMsg,
    at: run.progressAt.toISOString(),
    eta_s: running ? etaSeconds(run.progressPct, run.startedAt!, run.progressAt) : null,
  };
}

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
