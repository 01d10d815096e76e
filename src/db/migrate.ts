import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { PACKAGE_ROOT } from '../package-root';
import type { Db } from './client';
import { appliedState, applyFunctions, FUNCTIONS_DIR, functionsHash } from './functions';
import { LOCK } from './locks';
import { ensureAppRole, grantAppRole, roleOf } from './roles';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle');

/** Where the SQL functions come from: drizzle/functions/ unless a test points elsewhere. */
export type MigrateOptions = { functionsDir?: string };

/**
 * Applies drizzle/ migrations, then the function files of drizzle/functions/ when they changed, under an
 * advisory lock, so processes starting together do not race. A database that a newer taskrun migrated
 * (more migrations than this one knows) keeps that taskrun's functions.
 */
export async function migrateDb(url: string, opts: MigrateOptions = {}): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined /* NOTICEs are not errors */ });
  try {
    await client`select pg_advisory_lock(${LOCK.migrate})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    const { migrations } = await appliedState(client);
    if (migrations <= expected()) await applyFunctions(client, opts.functionsDir);
    await client`select pg_advisory_unlock(${LOCK.migrate})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * Migrates as the owner (`ownerUrl`) and grants the app role of `appUrl` what it needs, creating that
 * role when missing (`take`: the embedded server's own app role, reset to what taskrun wants).
 */
export async function migrateAndGrant(ownerUrl: string, appUrl: string, take = false, opts: MigrateOptions = {}): Promise<void> {
  await migrateDb(ownerUrl, opts);
  await ensureAppRole(ownerUrl, appUrl, take);
  await grantAppRole(ownerUrl, roleOf(appUrl));
}

// drizzle/'s journal does not change while a process runs: read once, not on every /readyz.
let expectedCount: number | undefined;
const expected = (): number =>
  (expectedCount ??= JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')).entries.length);

/**
 * Migrates through an open pool only when something is pending (a migration, or function files the
 * database has not got): the web and the runner that `npm start` forks find the supervisor's work done
 * with one query, instead of each opening a connection and queueing on the migration lock (a start-up
 * cost on the way to ready).
 */
export async function ensureMigrated(db: Db, url: string, ownerUrl?: string, opts: MigrateOptions = {}): Promise<void> {
  const applied = await appliedState(db.$client);
  const pending = Math.max(0, expected() - applied.migrations);
  const functionsChanged = applied.migrations <= expected() && applied.functionsHash !== functionsHash(opts.functionsDir ?? FUNCTIONS_DIR);
  if (pending === 0 && !functionsChanged) return;
  if (ownerUrl && ownerUrl !== url) return migrateAndGrant(ownerUrl, url, false, opts);
  await migrateDb(url, opts).catch((err: Error) => {
    const what = pending > 0 ? `${pending} migration(s) are pending` : 'the SQL functions of drizzle/functions/ are not applied';
    const fix = 'start taskrun with DATABASE_OWNER_URL set, or with `npm start`';
    throw new Error(`${what} and the database role cannot apply them (${err.message}); ${fix}`);
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
