import { Hono } from 'hono';
import { AppError } from '../services/app-error';
import { triggerWebhook } from '../services/hook-trigger';
import { createRateWindow } from '../services/rate-window';
import type { WebDeps } from './deps';
import { who } from './security/context';

/**
 * POST /hooks/:secret: public, no session and no CSRF token; the secret in the path is the credential.
 * HOOK_RATE_PER_MIN is counted per webhook in this web process (each web node of a fleet counts its own).
 */
export function hookRoutes(deps: WebDeps): Hono {
  const rate = createRateWindow(deps.cfg.hookRatePerMin);
  return new Hono().post('/hooks/:secret', async (c) => {
    try {
      return c.json(await triggerWebhook(deps, rate, c.req.param('secret'), () => c.req.text(), who(c).ip), 202);
    } catch (err) {
      if (err instanceof AppError) throw err;
      // The app's error handler would log the path, and with it the secret: logged here without it.
      deps.log.error({ err, method: 'POST', path: '/hooks/…' }, 'webhook call failed');
      throw new AppError(503, 'the run could not be started; try again shortly');
    }
  });
}
