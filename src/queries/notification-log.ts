import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { notificationAttempts, notificationDeliveries } from '../db/schema';

export type Delivery = typeof notificationDeliveries.$inferSelect;
export type DeliveryAttempt = typeof notificationAttempts.$inferSelect;

/**
 * A page of a target's deliveries, newest first, each with its attempts in order; `before` is the
 * keyset cursor (the last id of the previous page).
 */
export async function listDeliveries(
  db: Db,
  targetId: number,
  f: { limit: number; before?: number },
): Promise<{ deliveries: (Delivery & { tries: DeliveryAttempt[] })[]; nextCursor: number | null }> {
  const where = [eq(notificationDeliveries.targetId, targetId)];
  if (f.before !== undefined) where.push(lt(notificationDeliveries.id, f.before));
  const rows = await db
    .select()
    .from(notificationDeliveries)
    .where(and(...where))
    .orderBy(desc(notificationDeliveries.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const tries =
    page.length === 0
      ? []
      : await db
          .select()
          .from(notificationAttempts)
          .where(
            inArray(
              notificationAttempts.deliveryId,
              page.map((d) => d.id),
            ),
          )
          .orderBy(asc(notificationAttempts.id));
  const byDelivery = new Map<number, DeliveryAttempt[]>(page.map((d) => [d.id, []]));
  for (const t of tries) byDelivery.get(t.deliveryId)?.push(t);
  return {
    deliveries: page.map((d) => ({ ...d, tries: byDelivery.get(d.id) ?? [] })),
    nextCursor: rows.length > f.limit ? page[page.length - 1]!.id : null,
  };
}
