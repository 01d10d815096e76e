import { z } from 'zod';
import { CHANNEL } from '../db/notify';
import { RUN_STATUSES } from '../db/schema';
import { cancelRun } from '../queries/runs-cancel';
import { getRun, listRuns } from '../queries/runs-read';
import type { Run } from '../queries/run-types';
import { TASK_ID_RE } from '../tasks/task-id';
import { AppError } from './app-error';
import { audit } from './audit-service';
import type { Who } from './who';
import type { Deps } from './deps';
import { runJson, runJsonLive, runSchema, type RunJson } from './run-json';
import { parseInput, parsePath, withoutEmptyValues } from './validate';

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
    limit: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1 to 500' }).max(500, { error: 'must be 1 to 500' }).default(50),
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
