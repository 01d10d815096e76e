import { ACTIVE_STATUSES } from '../db/schema';
import { getRun } from '../runs/read';
import type { Run } from '../db/schema';
import { logPath, logSize, parseLogName } from '../logs';
import { AppError } from './app-error';
import type { Deps } from './deps';

/**
 * The log file of a known run and its size now, from a `{task_id}_{run_id}.log` name; the path is built
 * from the run's row. A queued or running run that has not written its file yet has an empty log so
 * far (size 0), since its output may start at any moment; a run that has ended without a file (cancelled
 * while queued, or the file was removed) has none: 404.
 */
export async function resolveLog(deps: Deps, name: string): Promise<{ run: Run; file: string; size: number }> {
  const parsed = parseLogName(name);
  if (!parsed) throw new AppError(400, 'invalid log name: expected {task_id}_{run_id}.log');
  const run = await getRun(deps.db, parsed.runId);
  if (!run || run.taskId !== parsed.taskId) throw new AppError(404, `log not found: no run ${parsed.runId} of task ${parsed.taskId}`);
  const file = logPath(deps.cfg.logsDir, run.taskId, run.id);
  const size = await logSize(file);
  if (size !== undefined) return { run, file, size };
  if (ACTIVE_STATUSES.includes(run.status)) return { run, file, size: 0 };
  throw new AppError(404, `log not found: run ${run.id} ended (${run.status}) and has no log file`, { run_id: run.id, status: run.status });
}
