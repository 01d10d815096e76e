import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

export type AuditEntry = typeof auditLog.$inferSelect;
export type AuditInput = {
  actor: string;
  ip: string | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
};

/** Appends one entry to the audit log. */
export async function appendAudit(db: Db, e: AuditInput): Promise<void> {
  await db.insert(auditLog).values({
    actor: e.actor,
    ip: e.ip,
    action: e.action,
    target: e.target ?? null,
    details: e.details ? JSON.stringify(e.details) : null,
  });
}

export type AuditFilter = { actor?: string; action?: string; limit: number; before?: number };

/** A page of the audit log, newest first, with keyset pagination. */
export async function listAudit(db: Db, f: AuditFilter): Promise<{ entries: AuditEntry[]; nextCursor: number | null }> {
  const where: SQL[] = [];
  if (f.actor) where.push(eq(auditLog.actor, f.actor));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.before !== undefined) where.push(lt(auditLog.id, f.before));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { entries: page, nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
}
