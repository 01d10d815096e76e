import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { taskSecrets } from '../db/schema';

/** A secret as listed: its name and when it was last set, never its value. */
export type SecretEntry = { name: string; updatedAt: Date };

/** The secrets of a task, by name. */
export async function listSecrets(db: Db, taskId: string): Promise<SecretEntry[]> {
  return db
    .select({ name: taskSecrets.name, updatedAt: taskSecrets.updatedAt })
    .from(taskSecrets)
    .where(eq(taskSecrets.taskId, taskId))
    .orderBy(asc(taskSecrets.name));
}

/** The names of the secrets of each of the given tasks. */
export async function secretNamesOf(db: Db, taskIds: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(taskIds.map((id) => [id, []]));
  if (taskIds.length === 0) return result;
  const rows = await db
    .select({ taskId: taskSecrets.taskId, name: taskSecrets.name })
    .from(taskSecrets)
    .where(inArray(taskSecrets.taskId, taskIds))
    .orderBy(asc(taskSecrets.name));
  for (const r of rows) result.get(r.taskId)?.push(r.name);
  return result;
}

/** Sets a secret (already sealed); true when it is new, false when it replaced one. */
export async function upsertSecret(db: Db, taskId: string, name: string, sealed: string): Promise<boolean> {
  // xmax is 0 for a row this statement inserted, and set for one it updated.
  const rows = await db
    .insert(taskSecrets)
    .values({ taskId, name, sealed })
    .onConflictDoUpdate({ target: [taskSecrets.taskId, taskSecrets.name], set: { sealed, updatedAt: sql`now()` } })
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
  return rows[0]?.inserted === true;
}

/** Deletes one secret; false when there was none by that name. */
export async function deleteSecret(db: Db, taskId: string, name: string): Promise<boolean> {
  const rows = await db
    .delete(taskSecrets)
    .where(and(eq(taskSecrets.taskId, taskId), eq(taskSecrets.name, name)))
    .returning({ name: taskSecrets.name });
  return rows.length > 0;
}

/** Deletes every secret of a task (when the task is deleted). */
export async function deleteSecretsOf(db: Db, taskId: string): Promise<void> {
  await db.delete(taskSecrets).where(eq(taskSecrets.taskId, taskId));
}

/** A task's secrets, still sealed, for the runner to open with its key and put into the run's environment. */
export async function secretsOf(db: Db, taskId: string): Promise<{ name: string; sealed: string }[]> {
  return db
    .select({ name: taskSecrets.name, sealed: taskSecrets.sealed })
    .from(taskSecrets)
    .where(eq(taskSecrets.taskId, taskId))
    .orderBy(asc(taskSecrets.name));
}
