import { asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationTargets, type NotifyEvent } from '../db/schema';

/** A target without its sealed signing key. */
export type NotificationTarget = Omit<typeof notificationTargets.$inferSelect, 'sealedSecret'>;
const visible = {
  id: notificationTargets.id,
  taskId: notificationTargets.taskId,
  name: notificationTargets.name,
  url: notificationTargets.url,
  events: notificationTargets.events,
  enabled: notificationTargets.enabled,
  createdBy: notificationTargets.createdBy,
  createdAt: notificationTargets.createdAt,
};

/** Stores a target; `taskId` null makes it global (every task's runs). */
export async function insertTarget(
  db: Db,
  t: { taskId: string | null; name: string; url: string; events: NotifyEvent[]; sealedSecret: string; createdBy: string },
): Promise<NotificationTarget> {
  return (await db.insert(notificationTargets).values(t).returning(visible))[0]!;
}

/** The targets of one task, or the global ones (`taskId` null), oldest first. */
export async function listTargets(db: Db, taskId: string | null): Promise<NotificationTarget[]> {
  const where = taskId === null ? isNull(notificationTargets.taskId) : eq(notificationTargets.taskId, taskId);
  return db.select(visible).from(notificationTargets).where(where).orderBy(asc(notificationTargets.id));
}

/** One target by id. */
export async function getTarget(db: Db, id: number): Promise<NotificationTarget | undefined> {
  return (await db.select(visible).from(notificationTargets).where(eq(notificationTargets.id, id)))[0];
}

/** One target with its sealed signing key: for the notifier only. */
export async function getTargetForSending(db: Db, id: number): Promise<(NotificationTarget & { sealedSecret: string }) | undefined> {
  return (await db.select().from(notificationTargets).where(eq(notificationTargets.id, id)))[0];
}

/** Changes a target's name, URL, events or enabled flag; undefined fields keep their value. */
export async function updateTarget(
  db: Db,
  id: number,
  patch: Partial<{ name: string; url: string; events: NotifyEvent[]; enabled: boolean }>,
): Promise<NotificationTarget | undefined> {
  return (await db.update(notificationTargets).set(patch).where(eq(notificationTargets.id, id)).returning(visible))[0];
}

/** Deletes a target and, by cascade, its delivery log. */
export async function deleteTarget(db: Db, id: number): Promise<boolean> {
  return (
    (await db.delete(notificationTargets).where(eq(notificationTargets.id, id)).returning({ id: notificationTargets.id })).length === 1
  );
}
