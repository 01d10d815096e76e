import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrateDb } from '../src/db/migrate';
import { createTestDb, type TestDb } from './support/test-db';

let t: TestDb;
let fresh: string;
beforeAll(async () => {
  t = await createTestDb();
  // A second, empty database on the same server: migrations have not run there.
  const u = new URL(t.url);
  u.pathname = `${u.pathname}_fresh`;
  fresh = u.toString();
  await t.db.$client.unsafe(`create database ${u.pathname.slice(1)}`);
});
afterAll(async () => {
  await t.db.$client.unsafe(`drop database if exists ${new URL(fresh).pathname.slice(1)} with (force)`);
  await t.drop();
});

describe('migrations', () => {
  it('are applied once when several processes start at the same moment', async () => {
    await Promise.all(Array.from({ length: 6 }, () => migrateDb(fresh)));
    const sql = postgres(fresh, { max: 1, onnotice: () => undefined });
    try {
      const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
      expect(applied[0].n).toBe(journal.entries.length);
      expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining(['runners', 'runs', 'tasks']));
    } finally {
      await sql.end();
    }
  });
});
