import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { PACKAGE_ROOT } from '../package-root';
import { LOCK, type LockName } from './locks';

// drizzle/functions/ holds each SQL function taskrun defines, with the triggers that call it, as its one
// current definition: a file is edited in place, and CREATE OR REPLACE makes applying it again harmless.
// The files are applied after the migrations whenever they differ from what the database last got, so
// an edited file reaches a database that has every migration already, and a fresh database and an old
// one end with the same definitions.

export const FUNCTIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle', 'functions');

// What the database last got, beside drizzle's own record of the migrations: the hash of the files.
const APPLIED_TABLE = 'drizzle.taskrun_functions';

export type FunctionFile = { name: string; sql: string };

// Lock keys are templated in rather than read from a SQL function at run time: the number then stands in
// the stored definition (and in schema.sql) as PostgreSQL runs it, the hot path pays for no extra call,
// and src/db/locks.ts stays the one place that names it. Changing a key there changes the hash, so the
// files are applied again.
function render(name: string, text: string): string {
  return text.replace(/\{\{lock:(\w+)\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(LOCK, key)) throw new Error(`drizzle/functions/${name}: no lock named "${key}" in src/db/locks.ts`);
    return String(LOCK[key as LockName]);
  });
}

/** The function files in the order they are applied (by file name), lock keys filled in. */
export function readFunctionFiles(dir = FUNCTIONS_DIR): FunctionFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: render(name, fs.readFileSync(path.join(dir, name), 'utf8')) }));
}

// The files do not change while a process runs: hashed once, not on every start check.
const hashes = new Map<string, string>();

/** A hash of the function files as they would be applied: names, order and text. */
export function functionsHash(dir = FUNCTIONS_DIR): string {
  let hash = hashes.get(dir);
  if (hash === undefined) {
    const h = crypto.createHash('sha256');
    for (const f of readFunctionFiles(dir)) h.update(`${f.name}\0${f.sql}\0`);
    hash = h.digest('hex');
    hashes.set(dir, hash);
  }
  return hash;
}

/** One query: how many migrations the database has applied and the hash of the function files it last got. */
export async function appliedState(client: postgres.Sql): Promise<{ migrations: number; functionsHash: string | null }> {
  try {
    const [row] = await client<{ n: number; hash: string | null }[]>`
      select count(*)::int as n, (select hash from drizzle.taskrun_functions order by id desc limit 1) as hash
      from drizzle.__drizzle_migrations`;
    return { migrations: row?.n ?? 0, functionsHash: row?.hash ?? null };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P01' && code !== '3F000' && code !== '42501') throw err;
    // No table of applied functions yet (a database migrated before drizzle/functions/ existed), or none at
    // all, or one the owner made and has not granted yet: the functions count as not applied.
    const rows = client<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    const [row] = await rows.catch((e: { code?: string }) => {
      if (e.code === '42P01' || e.code === '3F000') return [{ n: 0 }];
      throw e;
    });
    return { migrations: row?.n ?? 0, functionsHash: null };
  }
}

/**
 * Applies drizzle/functions/ in one transaction when the database last got other files, and records
 * their hash; returns whether it applied them. The caller holds LOCK.migrate and has run the migrations,
 * so the tables the triggers go on exist.
 */
export async function applyFunctions(client: postgres.Sql, dir = FUNCTIONS_DIR): Promise<boolean> {
  const hash = functionsHash(dir);
  const files = readFunctionFiles(dir);
  await client.unsafe(`create table if not exists ${APPLIED_TABLE} (
    id integer primary key generated always as identity,
    hash text not null,
    applied_at timestamptz not null default now()
  )`);
  const { functionsHash: applied } = await appliedState(client);
  if (applied === hash) return false;
  await client.begin(async (tx) => {
    for (const f of files) {
      await tx
        .unsafe(f.sql)
        .simple()
        .catch((err: Error) => {
          throw new Error(`drizzle/functions/${f.name}: ${err.message}`, { cause: err });
        });
    }
    await tx.unsafe(`insert into ${APPLIED_TABLE} (hash) values ($1)`, [hash]);
  });
  return true;
}
