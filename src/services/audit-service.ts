import { z } from 'zod';
import { actorName } from '../auth/roles';
import { appendAudit, listAudit, type AuditEntry } from '../queries/audit';
import type { Deps } from './deps';
import { parseInput, withoutEmptyValues } from './validate';
import type { Who } from './deps';

/** Writes who did what to the append-only audit log. */
export async function audit(
  deps: Pick<Deps, 'db'>,
  who: Who,
  action: string,
  target?: string | null,
  details?: Record<string, unknown>,
): Promise<void> {
  await appendAudit(deps.db, { actor: actorName(who.principal), ip: who.ip, action, target, details });
}

/** `?actor=&action=&limit=&cursor=` of the audit log. */
export const auditQuery = z.strictObject(
  {
    actor: z.string().max(200).optional(),
    action: z
      .string()
      .regex(/^[a-z_.]{1,40}$/, { error: 'not an action name' })
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, { error: 'not a cursor from a previous page' })
      .optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown parameter ${iss.keys.join(', ')}` : 'bad query') },
);
export type AuditQuery = z.infer<typeof auditQuery>;

/** Parses `?actor=&action=&limit=&cursor=`. */
export function parseAuditQuery(q: Record<string, string>): AuditQuery {
  return parseInput(auditQuery, withoutEmptyValues(q));
}

/** An audit entry as the API shows it: `details` is the JSON object the action recorded, if any. */
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  ip: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
});
export type AuditJson = z.infer<typeof auditEntrySchema>;

/** A page of the audit log, newest first; pass `next_cursor` back as `cursor` for older ones. */
export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), next_cursor: z.string().nullable() });

const toJson = (e: AuditEntry): AuditJson => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  ip: e.ip,
  action: e.action,
  target: e.target,
  details: e.details ? JSON.parse(e.details) : null,
});

/** A page of the audit log, newest first. */
export async function auditPage(deps: Deps, q: AuditQuery): Promise<{ entries: AuditJson[]; next_cursor: string | null }> {
  const page = await listAudit(deps.db, {
    actor: q.actor,
    action: q.action,
    limit: q.limit,
    before: q.cursor ? Number(q.cursor) : undefined,
  });
  return { entries: page.entries.map(toJson), next_cursor: page.nextCursor === null ? null : String(page.nextCursor) };
}
