import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runs, scheduleFires, schedules, type FireOutcome, type RunStatus } from '../db/schema';
import { enqueueRun, type EnqueueInput } from '../runs/enqueue';
import type { ScheduleFire } from './schedules';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
// enqueueRun and appendAudit take the database, and only sends statements through it, which a transaction does the same way.
const asDb = (tx: Tx) => tx as unknown as Db;

/** Records a fire time decided without a run ('missed', 'error'); false when a scheduler already decided it. */
export async function recordFire(db: Db, f: { scheduleId: number; fireAt: Date; outcome: FireOutcome; detail: string }): Promise<boolean> {
  const rows = await db.insert(scheduleFires).values(f).onConflictDoNothing().returning({ at: scheduleFires.fireAt });
  return rows.length === 1;
}

/** How a fire time that tried to queue a run was decided. */
export type FireResult = { outcome: 'queued' | 'busy' | 'full'; runId: number | null; detail: string | null };

/**
 * Decides a fire time by queuing a run, all in one transaction: the fire record first (its primary key
 * lets exactly one scheduler through; the others wait for it, then insert nothing), then the run, then
 * the record's outcome and the audit entry. Null when another scheduler had decided this fire time.
 */
export async function fireRun(
  db: Db,
  f: { scheduleId: number; fireAt: Date; detail: string | null; actor: string },
  run: EnqueueInput,
): Promise<FireResult | null> {
  return db.transaction(async (tx) => {
    const won = await tx
      .insert(scheduleFires)
      .values({ scheduleId: f.scheduleId, fireAt: f.fireAt, outcome: 'queued', detail: f.detail })
      .onConflictDoNothing()
      .returning({ at: scheduleFires.fireAt });
    if (won.length === 0) return null;
    const queued = await enqueueRun(asDb(tx), {
      ...run,
      audit: { actor: f.actor, ip: null, details: { schedule_id: f.scheduleId, fire_at: f.fireAt.toISOString() } },
    });
    const note = (text: string) => (f.detail ? `${f.detail}; ${text}` : text);
    const result: FireResult =
      queued.outcome === 'queued'
        ? { outcome: 'queued', runId: queued.runId, detail: f.detail }
        : queued.outcome === 'active'
          ? { outcome: 'busy', runId: null, detail: note(`skipped: run #${queued.runId} of the task was still active`) }
          : { outcome: 'full', runId: null, detail: note('skipped: the run queue was full') };
    await tx
      .update(scheduleFires)
      .set({ outcome: result.outcome, runId: result.runId, detail: result.detail })
      .where(and(eq(scheduleFires.scheduleId, f.scheduleId), eq(scheduleFires.fireAt, f.fireAt)));
    return result;
  });
}

/** A fire record with its schedule's task and the status its run has now (null: no run, or deleted since). */
export type FireRecord = ScheduleFire & { taskId: string; runStatus: RunStatus | null };

/** Fire records newest first, of one schedule or of all; `before` pages back by fire time. */
export async function listFires(db: Db, f: { scheduleId?: number; limit: number; before?: Date }): Promise<FireRecord[]> {
  const where: SQL[] = [];
  if (f.scheduleId !== undefined) where.push(eq(scheduleFires.scheduleId, f.scheduleId));
  if (f.before) where.push(lt(scheduleFires.fireAt, f.before));
  const rows = await db
    .select({ fire: scheduleFires, taskId: schedules.taskId, runStatus: runs.status })
    .from(scheduleFires)
    .innerJoin(schedules, eq(schedules.id, scheduleFires.scheduleId))
    .leftJoin(runs, eq(runs.id, scheduleFires.runId))
    .where(and(...where))
    .orderBy(desc(scheduleFires.fireAt), desc(scheduleFires.scheduleId))
    .limit(f.limit);
  return rows.map((r) => ({ ...r.fire, taskId: r.taskId, runStatus: r.runStatus }));
}

/** Deletes fire records older than `days`, keeping each schedule's latest: it marks where deciding goes on. */
export async function pruneFires(db: Db, days: number): Promise<number> {
  const rows = await db.execute(sql`
    delete from schedule_fires f
    where f.fire_at < now() - make_interval(secs => ${days * 86400}::double precision)
      and f.fire_at < (select max(g.fire_at) from schedule_fires g where g.schedule_id = f.schedule_id)
    returning 1`);
  return rows.length;
}
