import { z } from 'zod';
import { CHANNEL } from '../db/notify';
import { RUN_STATUSES } from '../db/schema';
import { cancelRun } from './cancel';
import { getRun, listRuns } from './read';
import type { Run } from '../db/schema';
import { TASK_ID_RE } from '../tasks/task-id';
import { AppError } from '../services/app-error';
import { audit } from '../services/audit-service';
import type { Who } from '../services/deps';
import { getOneTaskSettings } from '../queries/task-settings';
import { executeTask, type ExecuteJson } from '../services/tasks-service';
import type { Deps } from '../services/deps';
import { runJson, runJsonLive, runSchema, type RunJson } from './json';
import { parseInput, parsePath, withoutEmptyValues } from '../services/validate';

const RUN_ID_RE = /^[1-9][0-9]{0,14}$/; // at most 15 digits: every such id is exact as a JS number

/** A run id in a URL's path; 400 for anything but a positive whole number. */
export const runIdPath = z.string().regex(RUN_ID_RE, { error: 'invalid run id: must be a positive whole number' }).transform(Number);

/** A run id from a URL; 400 for anything but a positive whole number. */
export function runIdParam(value: string): number {
  return parsePath(runIdPath, value);
}

/** `?task_id=&status=&limit=&cursor=` of a runs listing. */
export const runsQuery = z.strictObject(
  {
    task_id: z.string().regex(TASK_ID_RE, { error: 'not a valid task id' }).optional(),
    status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be 1 to 500' })
      .max(500, { error: 'must be 1 to 500' })
      .default(50),
    cursor: z.string().regex(RUN_ID_RE, { error: 'not a cursor from a previous page' }).optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter ${iss.keys.join(', ')}` : 'bad query') },
);

/** The validated filters of a runs listing. */
export type RunsQuery = z.infer<typeof runsQuery>;

/** Parses `?task_id=&status=&limit=&cursor=`; empty values count as absent. */
export function parseRunsQuery(query: Record<string, string>): RunsQuery {
  return parseInput(runsQuery, withoutEmptyValues(query));
}

/** A page of runs, newest first; pass `next_cursor` back as `cursor` for older ones. */
export const runsPageSchema = z.object({ runs: z.array(runSchema), next_cursor: z.string().nullable() });

/** A page of runs, newest first, with the cursor of the next page. */
export async function listRunsPage(deps: Deps, q: RunsQuery): Promise<{ runs: RunJson[]; next_cursor: string | null }> {
  const page = await listRuns(deps.db, {
    taskId: q.task_id,
    status: q.status,
    limit: q.limit,
    before: q.cursor ? Number(q.cursor) : undefined,
  });
  return { runs: page.runs.map((r) => runJson(r)), next_cursor: page.nextCursor === null ? null : String(page.nextCursor) };
}

/** A run row, or 404. */
export async function requireRun(deps: Deps, runId: number): Promise<Run> {
  const run = await getRun(deps.db, runId);
  if (!run) throw new AppError(404, `run not found: ${runId}`);
  return run;
}

/** One run as the API shows it. */
export async function getRunJson(deps: Deps, runId: number): Promise<RunJson> {
  return runJsonLive(deps, await requireRun(deps, runId));
}

/** Cancels a run: a queued one at once, a running one by telling its runner; 409 when already ended. */
export async function cancelRunById(deps: Deps, runId: number, who: Who): Promise<RunJson> {
  const result = await cancelRun(deps.db, runId);
  if (result.outcome === 'missing') throw new AppError(404, `run not found: ${runId}`);
  if (result.outcome === 'finished') throw new AppError(409, `run already finished (${result.status})`, { status: result.status });
  // A queued run's cancel is announced by the status trigger (taskrun_run_notify); a running one's runner is told.
  if (result.outcome !== 'canceled') deps.notify(CHANNEL.cancel, String(runId));
  await audit(deps, who, 'run.cancel', String(runId));
  return getRunJson(deps, runId);
}

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
    throw new AppError(400, 'invalid parameters: params must be a JSON object of parameter values', {
      fields: { params: 'must be a JSON object of parameter values' },
    });
  }
  const { taskId, values } = await rerunValues(deps, runId);
  return executeTask(deps, taskId, 'rerun', who, { ...values, ...(overrides ?? {}) }, { rerun_of: runId });
}
