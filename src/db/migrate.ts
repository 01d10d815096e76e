import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { PACKAGE_ROOT } from '../package-root';
import type { Db } from './client';

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

// drizzle/'s journal does not change while a process runs: read once, not on every /readyz.
let expectedCount: number | undefined;
const expected = (): number => (expectedCount ??= JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')).entries.length);

/**
 * Migrates through an open pool only when something is pending: the web and the runner that `npm start`
 * forks find the supervisor's migrations done with one query, instead of each opening a connection and
 * queueing on the migration lock (a start-up cost on the way to ready).
 */
export async function ensureMigrated(db: Db, url: string): Promise<void> {
  if ((await migrationsPending(db)) > 0) await migrateDb(url);
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
