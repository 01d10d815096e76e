import { getOneTaskSettings } from '../queries/task-settings';
import { AppError } from './app-error';
import type { Deps } from './deps';
import { requireRun } from './runs-service';
import { executeTask, type ExecuteJson } from './tasks-service';
import type { Who } from './who';

/** The parameter values a new run of `runId` would start with: the kept ones the task still declares. */
export async function rerunValues(deps: Deps, runId: number): Promise<{ taskId: string; values: Record<string, unknown> }> {
  const run = await requireRun(deps, runId);
  const declared = new Set((await getOneTaskSettings(deps.db, run.taskId)).params.map((d) => d.name));
  // A parameter the task no longer declares is dropped rather than refused: the task changed since.
  return { taskId: run.taskId, values: Object.fromEntries(Object.entries(run.params).filter(([k]) => declared.has(k))) };
}

/**
 * Starts a run again with the values it ran with (trigger `rerun`); `overrides` replace or add values.
 * Secret parameter values are never kept, so a required secret parameter must be given again (400 otherwise).
 */
export async function rerunRun(deps: Deps, runId: number, who: Who, overrides?: unknown): Promise<ExecuteJson> {
  if (overrides !== undefined && overrides !== null && (typeof overrides !== 'object' || Array.isArray(overrides))) {
    throw new AppError(400, 'invalid parameters: params must be a JSON object of parameter values', { fields: { params: 'must be a JSON object of parameter values' } });
  }
  const { taskId, values } = await rerunValues(deps, runId);
  return executeTask(deps, taskId, 'rerun', who, { ...values, ...(overrides ?? {}) }, { rerun_of: runId });
}
