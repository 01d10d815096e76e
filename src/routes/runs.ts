import { Hono } from 'hono';
import { cancelRunById, getRunJson, listRunsPage, parseRunsQuery, runIdParam } from '../services/runs-service';
import { rerunRun } from '../services/rerun-service';
import { runInput } from '../services/task-input';
import { parseInput } from '../services/validate';
import { readOptionalJson } from './body';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';
import { streamRun } from './stream';

/** /api/runs: history, one run, cancel, start again, and the live stream. */
export function runRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/', allow('viewer'), async (c) => c.json(await listRunsPage(deps, parseRunsQuery(c.req.query()))))
    .get('/:run_id', allow('viewer'), async (c) => c.json(await getRunJson(deps, runIdParam(c.req.param('run_id')))))
    .post('/:run_id/cancel', allow('operator'), async (c) => c.json(await cancelRunById(deps, runIdParam(c.req.param('run_id')), who(c)), 202))
    .post('/:run_id/rerun', allow('operator'), async (c) => {
      const runId = runIdParam(c.req.param('run_id'));
      const body = await readOptionalJson(c);
      const input = body === undefined ? {} : parseInput(runInput, body);
      return c.json(await rerunRun(deps, runId, who(c), input.params), 202);
    })
    .get('/:run_id/stream', allow('viewer'), async (c) => streamRun(c, deps, runIdParam(c.req.param('run_id'))));
}
