import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runners } from '../db/schema';

export type RunnerInfo = typeof runners.$inferInsert;
export type Runner = typeof runners.$inferSelect;

/** Registers a starting runner. */
export async function registerRunner(db: Db, info: RunnerInfo): Promise<void> {
  await db.insert(runners).values(info);
}

/**
 * Says this runner is alive, in database time so other machines' clocks do not matter. Returns false when
 * another runner had declared it dead meanwhile (its runs are then already lost), or its row is gone.
 */
export async function heartbeat(db: Db, runnerId: string): Promise<boolean> {
  const rows = await db.execute<{ was_dead: boolean }>(sql`
    with old as (select stopped_at from runners where id = ${runnerId} for update)
    update runners set heartbeat_at = now(), stopped_at = null from old
    where runners.id = ${runnerId}
    returning old.stopped_at is not null as was_dead`);
  return rows.length === 1 && !rows[0].was_dead;
}

/** Marks a runner as stopped on a clean exit. */
export async function stopRunner(db: Db, runnerId: string): Promise<void> {
  await db.update(runners).set({ stoppedAt: sql`now()` }).where(eq(runners.id, runnerId));
}

/** Runners that heartbeat within `deadMs`, with how many runs each is running. */
export async function liveRunners(db: Db, deadMs: number): Promise<(Runner & { running: number })[]> {
  return db
    .select({
      id: runners.id,
      host: runners.host,
      pid: runners.pid,
      bootId: runners.bootId,
      slots: runners.slots,
      version: runners.version,
      isolation: runners.isolation,
      startedAt: runners.startedAt,
      heartbeatAt: runners.heartbeatAt,
      stoppedAt: runners.stoppedAt,
      running: sql<number>`(select count(*) from runs where runs.runner_id = runners.id and runs.status = 'running')`.mapWith(Number),
    })
    .from(runners)
    .where(and(isNull(runners.stoppedAt), gt(runners.heartbeatAt, sql`now() - make_interval(secs => ${deadMs / 1000}::float8)`)))
    .orderBy(runners.startedAt);
}

/** Other live-registered runners on this host and boot: their pids can be checked directly. */
export async function runnersOnHost(db: Db, host: string, bootId: string): Promise<Pick<Runner, 'id' | 'pid'>[]> {
  return db
    .select({ id: runners.id, pid: runners.pid })
    .from(runners)
    .where(and(eq(runners.host, host), eq(runners.bootId, bootId), isNull(runners.stoppedAt)));
}

/** Marks runners stopped; used for runners on this host whose process is gone. */
export async function markRunnersStopped(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`update runners set stopped_at = now() where id = any(${sql.param(ids)}::text[]) and stopped_at is null`);
}
