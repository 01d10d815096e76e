import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationTargets, schedules, webhooks } from '../db/schema';

/**
 * What hangs off a task besides its settings and secrets, dropped when the task is deleted: a task
 * created later under the same id must not inherit its schedules, webhook URLs or notification targets.
 * Webhooks are revoked rather than deleted, so the record of who made them stays.
 */
export async function forgetTaskAutomation(db: Db, taskId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(schedules).where(eq(schedules.taskId, taskId));
    await tx
      .update(webhooks)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(webhooks.taskId, taskId), isNull(webhooks.revokedAt)));
    await tx.delete(notificationTargets).where(eq(notificationTargets.taskId, taskId));
  });
}
