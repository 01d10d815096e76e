import { Hono } from 'hono';
import { cancelRunById, getRunJson, listRunsPage, parseRunsQuery, runIdParam } from '../services/runs-service';
import type { WebDeps } from './deps';
import { streamRun } from './stream';

/** /api/runs: history, one run, cancel, and the live stream. */
export function runRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/', async (c) => c.json(await listRunsPage(deps, parseRunsQuery(c.req.query()))))
    .get('/:run_id', async (c) => c.json(await getRunJson(deps, runIdParam(c.req.param('run_id')))))
    .post('/:run_id/cancel', async (c) => c.json(await cancelRunById(deps, runIdParam(c.req.param('run_id'))), 202))
    .get('/:run_id/stream', async (c) => streamRun(c, deps, runIdParam(c.req.param('run_id'))));
}
