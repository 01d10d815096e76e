import fs from 'node:fs/promises';
import { deleteOldRuns } from '../runs/retention';
import { logPath } from '../logs';
import type { RunnerContext } from './context';

const BATCH = 1000;

/** Deletes runs past their retention and their log files, in batches; one node at a time. */
export async function applyRetention(ctx: RunnerContext): Promise<number> {
  let total = 0;
  for (;;) {
    const gone = await deleteOldRuns(ctx.db, ctx.cfg.runRetentionDays, BATCH);
    if (!gone) return total; // another node is at it
    await Promise.all(gone.map((r) => fs.rm(logPath(ctx.cfg.logsDir, r.taskId, r.id), { force: true })));
    total += gone.length;
    if (gone.length < BATCH) break;
  }
  if (total > 0) ctx.log.info({ deleted_runs: total }, 'retention: old runs and their logs deleted');
  return total;
}
