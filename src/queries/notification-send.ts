import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationAttempts, notificationDeliveries } from '../db/schema';

/** A delivery a notifier has taken for one attempt (`attempt` counts from 1). */
export type ClaimedDelivery = { id: number; targetId: number; runId: number; event: string; attempt: number };

/**
 * Takes up to `limit` due pending deliveries for one attempt each. Several notifiers may claim at once:
 * SKIP LOCKED passes over rows another is taking, and the claim itself moves `next_attempt_at` past the
 * lease, so no other notifier sees the row as due while this one sends. A notifier that dies mid-send
 * leaves the row to be taken again once the lease is over (at least once, never lost).
 */
export async function claimDeliveries(db: Db, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await db.execute<{ id: number; target_id: number; run_id: number; event: string; attempts: number }>(sql`
    with due as (
      select id from notification_deliveries
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    )
    update notification_deliveries d
      set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      from due where d.id = due.id
      returning d.id, d.target_id, d.run_id, d.event, d.attempts`);
  return rows.map((r) => ({
    id: Number(r.id),
    targetId: Number(r.target_id),
    runId: Number(r.run_id),
    event: r.event,
    attempt: Number(r.attempts),
  }));
}

/** What one attempt came to, and what happens next. */
export type AttemptResult = {
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  // delivered (2xx), failed (no attempts left), or retry in `retryInMs`.
  next: { outcome: 'delivered' } | { outcome: 'failed' } | { outcome: 'retry'; retryInMs: number };
};

/**
 * Records an attempt and moves its delivery on. The delivery changes only if this claim still holds it
 * (same attempt number, still pending); the attempt is recorded either way, as it did happen.
 */
export async function recordAttempt(db: Db, d: ClaimedDelivery, r: AttemptResult): Promise<void> {
  await db.transaction(async (tx) => {
    // Nothing to record when the target (and so the delivery) was deleted while the attempt was made.
    await tx.execute(sql`
      insert into ${notificationAttempts} (delivery_id, response_status, error, duration_ms)
      select id, ${r.responseStatus}::int, ${r.error}::text, ${r.durationMs}::int from notification_deliveries where id = ${d.id}`);
    const set =
      r.next.outcome === 'retry'
        ? { nextAttemptAt: sql`now() + make_interval(secs => ${r.next.retryInMs / 1000})` }
        : { status: r.next.outcome, finishedAt: sql`now()` };
    await tx
      .update(notificationDeliveries)
      .set(set)
      .where(
        and(
          eq(notificationDeliveries.id, d.id),
          eq(notificationDeliveries.attempts, d.attempt),
          eq(notificationDeliveries.status, 'pending'),
        ),
      );
  });
}

/** Deletes the delivery log of runs that no longer exist (removed by retention); pending ones stay. */
export async function pruneDeliveries(db: Db): Promise<number> {
  const rows = await db.execute<{ id: number }>(sql`
    delete from notification_deliveries d
    where d.status <> 'pending' and not exists (select 1 from runs r where r.id = d.run_id)
    returning d.id`);
  return rows.length;
}
