import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { runSamples } from '../db/schema';

/** One resource sample of a run's process tree. */
export type SampleRow = typeof runSamples.$inferSelect;

/** A run's peak memory and CPU time so far. */
export type RunUsageRow = { runId: number; peakRssBytes: number; cpuSeconds: number };

// Four parameters a row; Postgres takes at most 65535 in one statement.
const ROWS_PER_INSERT = 5000;

/** Stores samples of any runs in multi-row inserts; a sample already stored (same run and instant) is skipped. */
export async function insertSamples(db: Db, rows: SampleRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insert(runSamples)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflictDoNothing();
  }
}

/** Records the peak memory and CPU time of running runs in one statement; values only ever go up. */
export async function recordRunUsage(db: Db, usage: RunUsageRow[]): Promise<void> {
  if (usage.length === 0) return;
  await db.execute(sql`
    update runs set peak_rss_bytes = greatest(runs.peak_rss_bytes, u.peak), cpu_seconds = greatest(runs.cpu_seconds, u.cpu)
    from unnest(${sql.param(usage.map((u) => u.runId))}::int8[], ${sql.param(usage.map((u) => u.peakRssBytes))}::int8[],
      ${sql.param(usage.map((u) => u.cpuSeconds))}::float8[]) as u(id, peak, cpu)
    where runs.id = u.id and runs.status = 'running'`);
}

/** A run's samples, oldest first. */
export async function getRunSamples(db: Db, runId: number): Promise<SampleRow[]> {
  return db.select().from(runSamples).where(eq(runSamples.runId, runId)).orderBy(asc(runSamples.at));
}
