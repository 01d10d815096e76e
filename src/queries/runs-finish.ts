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

/** Records how a run ended; only the runner holding it can, so a run already marked lost stays lost. */
export async function finishRun(db: Db, runId: number, runnerId: string, end: RunEnd): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ ...end, finishedAt: new Date() })
    .where(and(eq(runs.id, runId), eq(runs.status, 'running'), eq(runs.runnerId, runnerId)))
    .returning({ id: runs.id });
  return rows.length === 1;
}
