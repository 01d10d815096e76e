// `npm run db:schema`: writes drizzle/schema.sql from a database made from scratch by drizzle/'s
// migrations and function files, on an embedded PostgreSQL of its own in a temporary folder (the
// server the committed file is checked against by test/db-schema.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrateDb } from '../src/db/migrate';
import { dumpSchema, SCHEMA_FILE } from '../src/db/schema-dump';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-schema-'));
fs.chmodSync(dir, 0o755); // as root the server runs as an account of its own, which must be able to enter it
const pg = await startEmbeddedPostgres(dir);
try {
  await migrateDb(pg.url);
  const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  try {
    fs.writeFileSync(SCHEMA_FILE, await dumpSchema(sql));
  } finally {
    await sql.end({ timeout: 5 });
  }
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
} finally {
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
