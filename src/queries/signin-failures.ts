import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

/** Records a failed sign-in under each key (`ip:…`, `user:…`). */
export async function recordFailure(db: Db, keys: string[]): Promise<void> {
  await db.execute(sql`insert into signin_failures (key) select unnest(${sql.param(keys)}::text[])`);
}

/** For each key: failures within the window, and seconds until the oldest of them leaves it. */
export async function recentFailures(db: Db, keys: string[], windowS: number): Promise<Map<string, { count: number; retryAfterS: number }>> {
  const rows = await db.execute<{ key: string; n: number; retry: number }>(sql`
    select key, count(*)::int as n, ceil(extract(epoch from min(at) + make_interval(secs => ${windowS}::float8) - now()))::int as retry
    from signin_failures where key = any(${sql.param(keys)}::text[]) and at > now() - make_interval(secs => ${windowS}::float8)
    group by key`);
  return new Map(rows.map((r) => [r.key, { count: Number(r.n), retryAfterS: Math.max(1, Number(r.retry)) }]));
}

/** Forgets a key's failures (after a successful sign-in) and any older than the window. */
export async function clearFailures(db: Db, key: string, windowS: number): Promise<void> {
  await db.execute(sql`delete from signin_failures where key = ${key} or at < now() - make_interval(secs => ${windowS}::float8)`);
}
