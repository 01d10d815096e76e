import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { migrationsPending } from '../db/migrate';
import type { WebDeps } from './deps';

/** GET /healthz (liveness: the database answers) and GET /readyz (and its migrations are applied). */
export function healthRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/healthz', async (c) => {
      try {
        await deps.db.execute(sql`select 1`);
        return c.json({ status: 'ok' });
      } catch {
        return c.json({ status: 'unavailable', error: 'database not reachable' }, 503);
      }
    })
    .get('/readyz', async (c) => {
      try {
        const pending = await migrationsPending(deps.db);
        if (pending > 0) return c.json({ status: 'not ready', error: `${pending} migrations not applied` }, 503);
        return c.json({ status: 'ready' });
      } catch {
        return c.json({ status: 'not ready', error: 'database not reachable' }, 503);
      }
    });
}
