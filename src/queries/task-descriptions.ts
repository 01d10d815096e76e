import type { Db } from '../db/client';
import { tasks } from '../db/schema';

/** Every task's description by id (tasks with no settings row have none): what the task list filters on. */
export async function taskDescriptions(db: Db): Promise<Map<string, string>> {
  const rows = await db.select({ id: tasks.id, description: tasks.description }).from(tasks);
  return new Map(rows.map((r) => [r.id, r.description]));
}
