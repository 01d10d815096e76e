import { Hono } from 'hono';
import { cancelRunById, getRunJson, listRunsPage, parseRunsQuery, runIdParam } from '../services/runs-service';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { who } from './security/context';
import { streamRun } from './stream';

/** /api/runs: history, one run, cancel, and the live stream. */
export function runRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/', allow('viewer'), async (c) => c.json(await listRunsPage(deps, parseRunsQuery(c.req.query()))))
    .get('/:run_id', allow('viewer'), async (c) => c.json(await getRunJson(deps, runIdParam(c.req.param('run_id')))))
    .post('/:run_id/cancel', allow('operator'), async (c) => c.json(await cancelRunById(deps, runIdParam(c.req.param('run_id')), who(c)), 202))
    .get('/:run_id/stream', allow('viewer'), async (c) => streamRun(c, deps, runIdParam(c.req.param('run_id'))));
}
