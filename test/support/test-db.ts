import crypto from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { closeDb, connectDb, type Db } from '../../src/db/client';
import { migrateDb } from '../../src/db/migrate';

export type TestDb = { url: string; db: Db; drop: () => Promise<void> };

/** A fresh, migrated database of its own for one test file, on the run's server. */
export async function createTestDb(): Promise<TestDb> {
  const base = inject('pgUrl');
  const name = `taskrun_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDb(url);
  const db = connectDb(url, 'taskrun-test', 10);
  return {
    url,
    db,
    drop: async () => {
      await closeDb(db);
      const a = postgres(base, { max: 1, onnotice: () => undefined });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
