import { Hono } from 'hono';
import { systemInfo, topProcesses } from '../services/system-service';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';

/** /api/system: machine and queue figures, and the busiest processes. */
export function systemRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/info', allow('viewer'), async (c) => c.json(await systemInfo(deps)))
    .get('/processes', allow('viewer'), async (c) => c.json(await topProcesses(deps)));
}
