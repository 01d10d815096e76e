import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, connectDb, type Db } from '../src/db/client';
import { FUNCTIONS_DIR, readFunctionFiles } from '../src/db/functions';
import { LOCK } from '../src/db/locks';
import { ensureMigrated, migrateDb, MIGRATIONS_DIR } from '../src/db/migrate';
import { dumpSchema, majorOf, SCHEMA_FILE, serverMajor } from '../src/db/schema-dump';
import { createTestDb, type TestDb } from './support/test-db';

// drizzle/schema.sql is what drizzle/'s migrations and function files make; a database migrated before
// the function files existed, or before one of them changed, gets them on its next start, once.

let fresh: TestDb;
let old: { url: string; sql: postgres.Sql; db: Db };
let functionsDir: string;
beforeAll(async () => {
  fresh = await createTestDb();
  // A database as taskrun left it before drizzle/functions/: every migration, applied by drizzle alone.
  const u = new URL(fresh.url);
  u.pathname = `${u.pathname}_old`;
  await fresh.db.$client.unsafe(`create database ${u.pathname.slice(1)}`);
  const sql = postgres(u.toString(), { max: 1, onnotice: () => undefined });
  await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_DIR });
  old = { url: u.toString(), sql, db: connectDb(u.toString(), 'taskrun-test', 2) };
  functionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-functions-'));
  for (const f of fs.readdirSync(FUNCTIONS_DIR)) fs.copyFileSync(path.join(FUNCTIONS_DIR, f), path.join(functionsDir, f));
});
afterAll(async () => {
  await old.sql.end();
  await closeDb(old.db);
  await fresh.db.$client.unsafe(`drop database if exists ${new URL(old.url).pathname.slice(1)} with (force)`);
  await fresh.drop();
  fs.rmSync(functionsDir, { recursive: true, force: true });
});

// The committed file is the embedded server's (its first line names the major version). CI runs this file
// a second time against the machine's PostgreSQL 15, whose pg_get_*def print today's schema the same
// way, so the definitions below the first line are compared there too; should another major version
// print something differently, the message says which, to normalise it in src/db/schema-dump.ts.
const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
const body = (text: string) => text.slice(text.indexOf('\n') + 1);

describe('drizzle/schema.sql', () => {
  it('is what the migrations and function files make (else run `npm run db:schema`)', async () => {
    const major = await serverMajor(fresh.db.$client);
    const why =
      majorOf(committed) === major
        ? 'drizzle/schema.sql differs from what the migrations make: run `npm run db:schema`'
        : `drizzle/schema.sql (PostgreSQL ${majorOf(committed)}) differs from what the migrations make on PostgreSQL ${major}: ` +
          'run `npm run db:schema` if the embedded server differs too, else normalise the difference in src/db/schema-dump.ts';
    const dumped = await dumpSchema(fresh.db.$client);
    if (majorOf(committed) === major) expect(dumped, why).toBe(committed);
    else expect(body(dumped), why).toBe(body(committed));
  });
});

describe('drizzle/functions/', () => {
  const procs = (sql: postgres.Sql) =>
    sql`select p.proname, p.xmin::text from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`;
  const triggers = (sql: postgres.Sql) => sql`select tgname, xmin::text from pg_trigger where not tgisinternal order by 1`;
  const applied = async (sql: postgres.Sql) => (await sql`select count(*)::int as n from drizzle.taskrun_functions`)[0]!.n as number;

  it('reach a database migrated before they existed on its next start: it ends like a fresh one', async () => {
    await ensureMigrated(old.db, old.url);
    expect(await dumpSchema(old.sql)).toBe(await dumpSchema(fresh.db.$client));
    expect(await applied(old.sql)).toBe(1);
  });

  it('reach it again when one changed, with no new migration, and applying twice changes nothing', async () => {
    const file = path.join(functionsDir, 'taskrun_run_notify.sql');
    const text = fs.readFileSync(file, 'utf8');
    const line = "PERFORM pg_notify('taskrun_run', v::text);";
    fs.writeFileSync(file, text.replace(line, `${line} -- edited`));
    await ensureMigrated(old.db, old.url, undefined, { functionsDir });
    const [def] = await old.sql`select pg_get_functiondef('taskrun_run_notify()'::regprocedure) as def`;
    expect(def!.def).toContain('-- edited');
    expect(await applied(old.sql)).toBe(2);

    const before = { procs: await procs(old.sql), triggers: await triggers(old.sql) };
    await ensureMigrated(old.db, old.url, undefined, { functionsDir });
    await migrateDb(old.url, { functionsDir });
    expect({ procs: await procs(old.sql), triggers: await triggers(old.sql) }).toEqual(before);
    expect(await applied(old.sql)).toBe(2);
  });

  it('take their lock keys from src/db/locks.ts', async () => {
    const [def] = await fresh.db.$client`select pg_get_functiondef(p.oid) as def from pg_proc p where p.proname = 'taskrun_enqueue'`;
    expect(def!.def).toContain(`pg_advisory_xact_lock(${LOCK.enqueue})`);
    fs.writeFileSync(path.join(functionsDir, 'zz_bad.sql'), 'select pg_advisory_xact_lock({{lock:nope}});\n');
    expect(() => readFunctionFiles(functionsDir)).toThrow('drizzle/functions/zz_bad.sql: no lock named "nope" in src/db/locks.ts');
  });
});
