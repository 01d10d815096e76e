import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { scheduleFires, schedules } from '../db/schema';

export type Schedule = typeof schedules.$inferSelect;
export type ScheduleFire = typeof scheduleFires.$inferSelect;
export type NewSchedule = Pick<Schedule, 'taskId' | 'cron' | 'timezone' | 'enabled' | 'missedPolicy' | 'params' | 'createdBy'>;
export type SchedulePatch = Partial<Pick<Schedule, 'cron' | 'timezone' | 'enabled' | 'missedPolicy' | 'params'>>;

/** Schedules, of one task or of all, in the order they were created. */
export async function listSchedules(db: Db, taskId?: string): Promise<Schedule[]> {
  const q = db.select().from(schedules);
  return (taskId === undefined ? q : q.where(eq(schedules.taskId, taskId))).orderBy(asc(schedules.taskId), asc(schedules.id));
}

/** One schedule by id. */
export async function getSchedule(db: Db, id: number): Promise<Schedule | undefined> {
  return (await db.select().from(schedules).where(eq(schedules.id, id)))[0];
}

/** Stores a new schedule; it becomes active now. */
export async function insertSchedule(db: Db, s: NewSchedule): Promise<Schedule> {
  return (await db.insert(schedules).values(s).returning())[0]!;
}

/**
 * Changes a schedule. `restart`: it counts as active from now on (on resume, or a new cron or zone),
 * so fire times before now are neither run nor counted as missed.
 */
export async function updateSchedule(db: Db, id: number, patch: SchedulePatch, restart: boolean): Promise<Schedule | undefined> {
  const set = restart ? { ...patch, activeSince: sql`now()` } : patch;
  return (await db.update(schedules).set(set).where(eq(schedules.id, id)).returning())[0];
}

/** Deletes a schedule and its fire records. */
export async function deleteSchedule(db: Db, id: number): Promise<Schedule | undefined> {
  return (await db.delete(schedules).where(eq(schedules.id, id)).returning())[0];
}

/** The latest fire record of each of these schedules. */
export async function lastFires(db: Db, ids: number[]): Promise<Map<number, ScheduleFire>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([scheduleFires.scheduleId])
    .from(scheduleFires)
    .where(inArray(scheduleFires.scheduleId, ids))
    .orderBy(scheduleFires.scheduleId, desc(scheduleFires.fireAt));
  return new Map(rows.map((r) => [r.scheduleId, r]));
}

/** An enabled schedule with its latest decided fire time (null: none yet). */
export type ActiveSchedule = Schedule & { lastDecided: Date | null };

/** Enabled schedules (all, or those of `ids`) with the latest fire time any scheduler decided. */
export async function activeSchedules(db: Db, ids?: number[]): Promise<ActiveSchedule[]> {
  if (ids?.length === 0) return [];
  const last = sql<Date | null>`(select max(f.fire_at) from ${scheduleFires} f where f.schedule_id = ${schedules.id})`.mapWith(
    (v: string | Date | null) => (v === null ? null : new Date(v)),
  );
  const where = ids === undefined ? eq(schedules.enabled, true) : sql`${schedules.enabled} and ${inArray(schedules.id, ids)}`;
  const rows = await db.select({ s: schedules, lastDecided: last }).from(schedules).where(where).orderBy(asc(schedules.id));
  return rows.map((r) => ({ ...r.s, lastDecided: r.lastDecided }));
}
