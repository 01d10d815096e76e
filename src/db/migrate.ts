import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { PACKAGE_ROOT } from '../package-root';
import type { Db } from './client';
import { ensureAppRole, grantAppRole, roleOf } from './roles';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle');
// Any constant works; it only has to be the same in every taskrun process.
const MIGRATION_LOCK = 7_311_001;

/** Applies drizzle/ migrations under an advisory lock, so processes starting together do not race. */
export async function migrateDb(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * Migrates as the owner (`ownerUrl`) and grants the app role of `appUrl` what it needs, creating that
 * role when missing (`take`: the embedded server's own app role, reset to what taskrun wants).
 */
export async function migrateAndGrant(ownerUrl: string, appUrl: string, take = false): Promise<void> {
  await migrateDb(ownerUrl);
  await ensureAppRole(ownerUrl, appUrl, take);
  await grantAppRole(ownerUrl, roleOf(appUrl));
}

// drizzle/'s journal does not change while a process runs: read once, not on every /readyz.
let expectedCount: number | undefined;
const expected = (): number => (expectedCount ??= JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')).entries.length);

/**
 * Migrates through an open pool only when something is pending: the web and the runner that `npm start`
 * forks find the supervisor's migrations done with one query, instead of each opening a connection and
 * queueing on the migration lock (a start-up cost on the way to ready).
 */
export async function ensureMigrated(db: Db, url: string, ownerUrl?: string): Promise<void> {
  const pending = await migrationsPending(db);
  if (pending === 0) return;
  if (ownerUrl && ownerUrl !== url) return migrateAndGrant(ownerUrl, url);
  await migrateDb(url).catch((err: Error) => {
    throw new Error(`${pending} migration(s) are pending and the database role cannot apply them (${err.message}); start taskrun with DATABASE_OWNER_URL set, or with \`npm start\``);
  });
}

/** How many of drizzle/'s migrations the database has not applied yet (0 when ready). */
export async function migrationsPending(db: Db): Promise<number> {
  const rows = await db
    .execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
    .catch((err: { cause?: { code?: string } }) => {
      if (err.cause?.code === '42P01' || err.cause?.code === '3F000') return [{ n: 0 }]; // no migrations table yet
      throw err;
    });
  return Math.max(0, expected() - Number(rows[0]?.n ?? 0));
}
