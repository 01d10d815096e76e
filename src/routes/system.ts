import { Hono } from 'hono';
import { systemInfo, topProcesses } from '../services/system-service';
import type { WebDeps } from './deps';

/** /api/system: machine and queue figures, and the busiest processes. */
export function systemRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/info', async (c) => c.json(await systemInfo(deps)))
    .get('/processes', async (c) => c.json(await topProcesses(deps)));
}
