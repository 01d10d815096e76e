import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../services/app-error';
import { triggerWebhook } from '../services/hook-trigger';
import { createRateWindow } from '../services/rate-window';
import { executeSchema } from '../services/tasks-service';
import type { WebDeps } from './deps';
import { errors, json, jsonBody } from './openapi';
import { who } from './security/context';

const hook = createRoute({
  method: 'post',
  path: '/hooks/{secret}',
  summary: "Call a webhook: queue a run of its task with the body's parameters",
  request: {
    params: z.object({ secret: z.string() }),
    body: jsonBody(z.record(z.string(), z.unknown()).describe("The run's parameter values (at most 64 KB); none: their defaults."), false),
  },
  responses: {
    202: json(executeSchema, 'The run is queued.'),
    ...errors([400, 404, 409, 413, 429, 503], {
      404: 'No such webhook (unknown or revoked).',
      409: 'The task has an active run (`run_id`).',
      429: 'Too many calls of this webhook (`retry_after_s`), or the queue is full.',
    }),
  },
});

/**
 * POST /hooks/:secret: public, no session and no CSRF token; the secret in the path is the credential.
 * HOOK_RATE_PER_MIN is counted per webhook in this web process (each web node of a fleet counts its own).
 */
export function hookRoutes(deps: WebDeps): OpenAPIHono {
  const rate = createRateWindow(deps.cfg.hookRatePerMin);
  const app = new OpenAPIHono();
  // Documented from its definition but not checked by it: triggerWebhook reads the body only after the
  // secret is found and the call counted, so an unknown or too frequent caller's body is never read.
  app.openAPIRegistry.registerPath(hook);
  app.post('/hooks/:secret', async (c) => {
    try {
      return c.json(await triggerWebhook(deps, rate, c.req.param('secret'), () => c.req.text(), who(c).ip), 202);
    } catch (err) {
      if (err instanceof AppError) throw err;
      // The app's error handler would log the path, and with it the secret: logged here without it.
      deps.log.error({ err, method: 'POST', path: '/hooks/…' }, 'webhook call failed');
      throw new AppError(503, 'the run could not be started; try again shortly');
    }
  });
  return app;
}
