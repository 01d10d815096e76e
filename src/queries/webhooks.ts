import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { webhooks } from '../db/schema';

export type Webhook = Omit<typeof webhooks.$inferSelect, 'secretHash'>;
const visible = {
  id: webhooks.id,
  taskId: webhooks.taskId,
  name: webhooks.name,
  createdBy: webhooks.createdBy,
  createdAt: webhooks.createdAt,
  lastUsedAt: webhooks.lastUsedAt,
  revokedAt: webhooks.revokedAt,
};

/** Stores a webhook by the hash of its secret. */
export async function insertWebhook(db: Db, w: { taskId: string; name: string; secretHash: string; createdBy: string }): Promise<Webhook> {
  const rows = await db.insert(webhooks).values(w).returning(visible);
  return rows[0]!;
}

/** A task's webhooks, active first, newest first. */
export async function listWebhooks(db: Db, taskId: string): Promise<Webhook[]> {
  return db
    .select(visible)
    .from(webhooks)
    .where(eq(webhooks.taskId, taskId))
    .orderBy(sql`${webhooks.revokedAt} is not null`, desc(webhooks.id));
}

/** The active webhook whose secret has this hash, noting that it was used. */
export async function useWebhook(db: Db, secretHash: string): Promise<Webhook | undefined> {
  const rows = await db
    .update(webhooks)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(webhooks.secretHash, secretHash), isNull(webhooks.revokedAt)))
    .returning(visible);
  return rows[0];
}

/** One webhook by id, revoked or not. */
export async function getWebhook(db: Db, id: number): Promise<Webhook | undefined> {
  return (await db.select(visible).from(webhooks).where(eq(webhooks.id, id)))[0];
}

/** Revokes an active webhook; the row stays for the record. Undefined when there is no active one. */
export async function revokeWebhook(db: Db, id: number): Promise<Webhook | undefined> {
  const rows = await db
    .update(webhooks)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(webhooks.id, id), isNull(webhooks.revokedAt)))
    .returning(visible);
  return rows[0];
}
