import { Hono } from 'hono';
import { getRunResources } from '../services/resources-service';
import { runIdParam } from '../services/runs-service';
import { allow } from './security/authenticate';
import type { WebDeps } from './deps';

/** /api/runs/:run_id/resources: the CPU and memory samples of a run's process tree. */
export function resourceRoutes(deps: WebDeps): Hono {
  return new Hono().get('/:run_id/resources', allow('viewer'), async (c) => c.json(await getRunResources(deps, runIdParam(c.req.param('run_id')))));
}
