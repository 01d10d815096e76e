import { and, eq, gt, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions, users, type Role } from '../db/schema';

export type SessionUser = { idHash: string; csrfToken: string; userId: number; name: string; role: Role; lastSeenAt: Date };

/** Stores a new session (by the SHA-256 of its token). */
export async function insertSession(
  db: Db,
  s: { idHash: string; userId: number; csrfToken: string; ip: string | null; ttlMs: number },
): Promise<void> {
  await db.insert(sessions).values({
    idHash: s.idHash,
    userId: s.userId,
    csrfToken: s.csrfToken,
    ip: s.ip,
    expiresAt: new Date(Date.now() + s.ttlMs),
  });
}

const idleSince = (idleMs: number) => sql`now() - make_interval(secs => ${idleMs / 1000}::float8)`;

/** The live session with that hash and its user, if any: not expired, and used within `idleMs`. */
export async function findSession(db: Db, idHash: string, idleMs: number): Promise<SessionUser | undefined> {
  const rows = await db
    .select({
      idHash: sessions.idHash,
      csrfToken: sessions.csrfToken,
      userId: users.id,
      name: users.name,
      role: users.role,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, sql`now()`), gt(sessions.lastSeenAt, idleSince(idleMs))));
  return rows[0];
}

/** Notes activity on a session (callers throttle this). */
export async function touchSession(db: Db, idHash: string): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.idHash, idHash));
}

/** Ends a session. */
export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** Ends every session of a user but one (after a password change). */
export async function deleteOtherSessions(db: Db, userId: number, keepIdHash: string): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.idHash, keepIdHash)))
    .returning({ idHash: sessions.idHash });
  return rows.length;
}

/** Removes sessions that are over: expired, or unused for `idleMs`. */
export async function deleteStaleSessions(db: Db, idleMs: number): Promise<void> {
  await db.delete(sessions).where(or(lt(sessions.expiresAt, sql`now()`), lt(sessions.lastSeenAt, idleSince(idleMs))));
}
