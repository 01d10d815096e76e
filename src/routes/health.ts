import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Db } from '../db/client';
import { migrationsPending } from '../db/migrate';
import { withTimeout } from '../timing';
import type { WebDeps } from './deps';

// How long one database check answers /healthz. Probes may come many times a second (load balancers,
// several monitors): each asking PostgreSQL would make the probe cost a round trip and a pooled
// connection. A second is far below any probe interval.
const CHECK_TTL_MS = 1000;
// A check that takes longer counts as down, and the next probe starts another: a query stuck on a dead
// connection must not hold every probe.
const CHECK_TIMEOUT_MS = 3000;

/** What GET /healthz answers: 200 while the database answers, else 503. */
export type Liveness = { status: 200 | 503; body: { status: 'ok' } | { status: 'unavailable'; error: string } };
export const LIVE: Liveness = { status: 200, body: { status: 'ok' } };
export const DOWN: Liveness = { status: 503, body: { status: 'unavailable', error: 'database not reachable' } };

const checks = new WeakMap<Db, () => Liveness | Promise<Liveness>>();

/**
 * The liveness of a process using `db`: checked at most once per CHECK_TTL_MS, concurrent callers
 * sharing one check; a fresh answer is returned as it is, not as a promise. One per pool, so the
 * app's route and the web server's probe path share it.
 */
export function liveness(db: Db): () => Liveness | Promise<Liveness> {
  let check = checks.get(db);
  if (check) return check;
  let last: { at: number; answer: Liveness } | undefined;
  let pending: Promise<Liveness> | undefined;
  check = () => {
    if (last && performance.now() - last.at < CHECK_TTL_MS) return last.answer;
    if (pending) return pending;
    pending = withTimeout(db.execute(sql`select 1`), CHECK_TIMEOUT_MS, 'database check timed out')
      .then(
        () => LIVE,
        () => DOWN,
      )
      .then((answer) => {
        last = { at: performance.now(), answer };
        pending = undefined;
        return answer;
      });
    return pending;
  };
  checks.set(db, check);
  return check;
}

/** GET /healthz (liveness: the database answers) and GET /readyz (and its migrations are applied). */
export function healthRoutes(deps: WebDeps): Hono {
  const live = liveness(deps.db);
  return new Hono()
    .get('/healthz', async (c) => {
      const { status, body } = await live();
      return c.json(body, status);
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
