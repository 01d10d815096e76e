import { Hono } from 'hono';
import { processScope, systemInfo, topProcesses } from '../services/system-service';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';
import { callerAtLeast } from './security/context';

/** /api/system: machine and queue figures, and the busiest processes (only runs' unless an admin asks). */
export function systemRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/info', allow('viewer'), async (c) => c.json(await systemInfo(deps)))
    .get('/processes', allow('viewer'), async (c) => c.json(await topProcesses(deps, processScope(callerAtLeast(c, 'admin')))));
}
