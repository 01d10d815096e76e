import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { processSchema, processScope, systemInfo, systemInfoSchema, topProcesses } from '../services/system-service';
import type { WebDeps } from './deps';
import { defineRoute, errors, json } from './openapi';
import { allow } from './security/authenticate';
import { callerAtLeast } from './security/context';

/** /api/system: machine and queue figures, and the busiest processes (only runs' unless an admin asks). */
export function systemRoutes(deps: WebDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/info',
      middleware: allow('viewer'),
      summary: "This machine's CPU, memory and disks, and the queue",
      responses: {
        200: json(systemInfoSchema, 'Figures of this machine, and the runners and runs across the fleet.'),
        ...errors([401, 403]),
      },
    }),
    async (c) => c.json(await systemInfo(deps), 200),
  );
  defineRoute(
    app,
    createRoute({
      method: 'get',
      path: '/processes',
      middleware: allow('viewer'),
      summary: 'The busiest processes on this machine',
      responses: {
        200: json(z.array(processSchema), "Runs' processes first; every other process only for an admin."),
        ...errors([401, 403]),
      },
    }),
    async (c) => c.json(await topProcesses(deps, processScope(callerAtLeast(c, 'admin'))), 200),
  );
  return app;
}
