import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** Opens a pooled connection; `name` shows in pg_stat_activity so operators can tell processes apart. */
export function connectDb(url: string, name: string, max = 10): Db {
  const client = postgres(url, {
    max,
    // PostgreSQL's NOTICEs ("already exists, skipping") are information for a console, not errors.
    onnotice: () => undefined,
    connection: { application_name: name },
    // Stale pooled connections after a database restart are replaced instead of failing forever.
    idle_timeout: 60,
    connect_timeout: 5,
    max_lifetime: 60 * 30,
    // Run ids and counts are int8; they stay far below 2^53, so plain numbers are safe and simpler.
    types: { int8: { to: 20, from: [20], serialize: (n: number) => String(n), parse: (s: string) => Number(s) } },
  });
  return drizzle(client, { schema });
}

/** Closes the pool, waiting briefly for queries in flight. */
export async function closeDb(db: Db): Promise<void> {
  await db.$client.end({ timeout: 5 });
}
