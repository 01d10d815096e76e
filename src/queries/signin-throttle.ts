import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

/** A key's failures not yet forgotten, and seconds since the last of them (by the database's clock). */
export type KeyCount = { key: string; failures: number; sinceS: number };

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * One sign-in attempt as one atomic step: locks the keys' rows (made when missing), asks `wait` how
 * many seconds the attempt must wait given their counts, and when none, counts it as a failure before
 * the password is checked (forgiveFailure takes that back). Parallel attempts on a key are thus counted
 * one after another. Failures whose last one is older than `forgetS` count as none. Rows are made and
 * locked in key order, so attempts sharing keys wait for each other instead of deadlocking. Times are
 * the clock's, not the transaction's start (now()): an attempt may have waited for the lock.
 */
export async function reserveAttempt(db: Db, keys: string[], forgetS: number, wait: (counts: KeyCount[]) => number): Promise<number> {
  const sorted = [...new Set(keys)].sort();
  return db.transaction(async (tx) => {
    const counts = await lockKeys(tx, sorted, forgetS);
    const waitS = wait(counts);
    if (waitS === 0) await countFailure(tx, counts);
    return waitS;
  });
}

async function lockKeys(tx: Tx, sorted: string[], forgetS: number): Promise<KeyCount[]> {
  await tx.execute(
    sql`insert into signin_throttle (key) select k from unnest(${sql.param(sorted)}::text[]) k order by k on conflict do nothing`,
  );
  const rows = await tx.execute<{ key: string; failures: number; since_s: number }>(sql`
    select key,
      case when last_failure_at < clock_timestamp() - make_interval(secs => ${forgetS}::float8) then 0 else failures end as failures,
      extract(epoch from clock_timestamp() - last_failure_at)::float8 as since_s
    from signin_throttle where key = any(${sql.param(sorted)}::text[]) order by key for update`);
  return rows.map((r) => ({ key: r.key, failures: Number(r.failures), sinceS: Number(r.since_s) }));
}

async function countFailure(tx: Tx, counts: KeyCount[]): Promise<void> {
  await tx.execute(sql`
    update signin_throttle t set failures = v.failures + 1, last_failure_at = clock_timestamp()
    from unnest(${sql.param(counts.map((c) => c.key))}::text[], ${sql.param(counts.map((c) => c.failures))}::int[]) as v(key, failures)
    where t.key = v.key`);
}

/**
 * Takes back the failure counted for an attempt that succeeded or was never judged: the `reset` keys
 * start again from none, the `refund` keys lose that one failure. Locks in key order, like
 * reserveAttempt, so the two never deadlock.
 */
export async function forgiveFailure(db: Db, reset: string[], refund: string[]): Promise<void> {
  const sorted = [...new Set([...reset, ...refund])].sort();
  await db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from signin_throttle where key = any(${sql.param(sorted)}::text[]) order by key for update`);
    await tx.execute(sql`delete from signin_throttle where key = any(${sql.param(reset)}::text[])`);
    await tx.execute(sql`update signin_throttle set failures = greatest(failures - 1, 0) where key = any(${sql.param(refund)}::text[])`);
  });
}

/** Deletes keys quiet for `forgetS`, skipping any an attempt holds (nothing waits, nothing deadlocks). */
export async function pruneQuietKeys(db: Db, forgetS: number): Promise<void> {
  await db.execute(sql`
    delete from signin_throttle where key in (
      select key from signin_throttle where last_failure_at < now() - make_interval(secs => ${forgetS}::float8) for update skip locked)`);
}

/** True when the user of that name has signed in from that address within `days`. */
export async function knownAddress(db: Db, name: string, ip: string, days: number): Promise<boolean> {
  const rows = await db.execute(sql`
    select 1 from signin_addresses a join users u on u.id = a.user_id
    where u.name = ${name} and a.ip = ${ip} and a.last_sign_in_at > now() - make_interval(days => ${days}::int)`);
  return rows.length > 0;
}

/** Remembers that the user signed in from that address (now); forgets addresses unused for `days`. */
export async function rememberAddress(db: Db, userId: number, ip: string, days: number): Promise<void> {
  await db.execute(sql`
    insert into signin_addresses (user_id, ip) values (${userId}, ${ip})
    on conflict (user_id, ip) do update set last_sign_in_at = now()`);
  await db.execute(sql`
    delete from signin_addresses where (user_id, ip) in (
      select user_id, ip from signin_addresses where last_sign_in_at < now() - make_interval(days => ${days}::int) for update skip locked)`);
}

/** Forgets every address of the user but one (after a password change). */
export async function forgetOtherAddresses(db: Db, userId: number, keepIp: string): Promise<void> {
  await db.execute(sql`delete from signin_addresses where user_id = ${userId} and ip <> ${keepIp}`);
}
