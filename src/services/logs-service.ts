import { logPath, parseLogName } from '../runs/log-path';
import type { Run } from '../queries/run-types';
import { AppError } from './app-error';
import type { Deps } from './deps';
import { getRun } from '../queries/runs-read';

/** The log file of a known run, from a `{task_id}_{run_id}.log` name; the path is built from the run's row. */
export async function resolveLog(deps: Deps, name: string): Promise<{ run: Run; file: string }> {
  const parsed = parseLogName(name);
  if (!parsed) throw new AppError(400, 'invalid log name: expected {task_id}_{run_id}.log');
  const run = await getRun(deps.db, parsed.runId);
  if (!run || run.taskId !== parsed.taskId) throw new AppError(404, `log not found: ${name}`);
  return { run, file: logPath(deps.cfg.logsDir, run.taskId, run.id) };
}
