import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { WebDeps } from './deps';

/** GET /healthz: 200 when the database answers, 503 when it does not. */
export function healthRoutes(deps: WebDeps): Hono {
  return new Hono().get('/healthz', async (c) => {
    try {
      await deps.db.execute(sql`select 1`);
      return c.json({ status: 'ok' });
    } catch {
      return c.json({ status: 'unavailable', error: 'database not reachable' }, 503);
    }
  });
}
