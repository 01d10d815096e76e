import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { perPool } from '../db/per-pool';
import { apiTokens, type Role } from '../db/schema';

export type ApiToken = Omit<typeof apiTokens.$inferSelect, 'tokenHash'>;
const visible = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  createdBy: apiTokens.createdBy,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Stores a token's hash; false when an active token already has that name. */
export async function insertToken(db: Db, t: { name: string; tokenHash: string; role: Role; createdBy: string }): Promise<boolean> {
  return (await db.insert(apiTokens).values(t).onConflictDoNothing().returning({ id: apiTokens.id })).length === 1;
}

const findToken = perPool((db) =>
  db
    .select(visible)
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt)))
    .prepare('taskrun_find_token'),
);

/**
 * The active token with that hash, noting its use at most once a minute (a shared token's row would
 * otherwise be a hot spot). The query is built once per pool: every API request runs it.
 */
export async function useToken(db: Db, tokenHash: string): Promise<ApiToken | undefined> {
  const rows = await findToken(db).execute({ hash: tokenHash });
  const token = rows[0];
  if (token && (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000)) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, token.id));
  }
  return token;
}

/** Every token, active first (never their secrets: only hashes are stored). */
export async function listTokens(db: Db): Promise<ApiToken[]> {
  return db.select(visible).from(apiTokens).orderBy(sql`${apiTokens.revokedAt} is not null`, asc(apiTokens.name));
}

/** Revokes the active token with that name. */
export async function revokeToken(db: Db, name: string): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length === 1;
}
