import postgres from 'postgres';
import { sleep } from './clock';

// The bench's own connection to the product's database: it observes (LISTEN, statistics) and, for the
// history scenario, loads rows; it never takes part in running tasks.

export const FINAL = new Set(['success', 'failed', 'timeout', 'canceled', 'error', 'lost']);

/** Opens a small pool on the product's database. */
export function connect(url: string): postgres.Sql {
  return postgres(url, { max: 2, onnotice: () => undefined });
}

/** Tells when runs end, from the same `taskrun_run` NOTIFYs the web process listens to. */
export type RunWatcher = {
  ended: (runId: number, timeoutMs?: number) => Promise<string>;
  close: () => Promise<void>;
};

// The payload is JSON ({"id":1,"status":"success",...}); `id:status` is read too, so the bench can
// measure a build of an older commit against the current one.
function parseChange(payload: string): { runId: number; status: string } | undefined {
  if (payload.startsWith('{')) {
    try {
      const c = JSON.parse(payload) as { id?: unknown; status?: unknown };
      return typeof c.id === 'number' && typeof c.status === 'string' ? { runId: c.id, status: c.status } : undefined;
    } catch {
      return undefined;
    }
  }
  const [id, status] = payload.split(':');
  return id && status ? { runId: Number(id), status } : undefined;
}

/** Listens for run ends; an end seen before anyone waits for it is remembered. */
export async function watchRuns(sql: postgres.Sql): Promise<RunWatcher> {
  const seen = new Map<number, string>();
  const waiters = new Map<number, (status: string) => void>();
  const sub = await sql.listen('taskrun_run', (payload) => {
    const change = parseChange(payload);
    if (!change || !FINAL.has(change.status)) return;
    const { runId, status } = change;
    const waiter = waiters.get(runId);
    if (waiter) {
      waiters.delete(runId);
      waiter(status);
    } else seen.set(runId, status);
  });
  return {
    ended: async (runId, timeoutMs = 120_000) => {
      const known = seen.get(runId);
      if (known) {
        seen.delete(runId);
        return known;
      }
      let expire: (v: undefined) => void = () => undefined;
      const timer = setTimeout(() => expire(undefined), timeoutMs);
      const status = await Promise.race([
        new Promise<string>((resolve) => waiters.set(runId, resolve)),
        new Promise<undefined>((resolve) => (expire = resolve)),
      ]);
      clearTimeout(timer);
      if (status) return status;
      waiters.delete(runId);
      const [row] = await sql`select status from runs where id = ${runId}`;
      if (row && FINAL.has(row.status)) return row.status as string;
      throw new Error(`run ${runId} did not end within ${timeoutMs} ms (status ${row?.status})`);
    },
    close: () => sub.unlisten(),
  };
}

/** Waits until no run is queued or running: the product is idle again. */
export async function waitIdle(sql: postgres.Sql, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql`select count(*)::int as n from runs where status in ('queued', 'running')`;
    if (row.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${row.n} runs still active after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Transactions committed or rolled back in the current database so far (pg_stat_database). */
export async function transactions(sql: postgres.Sql): Promise<number> {
  // The statistics snapshot is per transaction; a fresh one shows counters as of now.
  await sql`select pg_stat_clear_snapshot()`;
  const [row] = await sql`select (xact_commit + xact_rollback)::float8 as n from pg_stat_database where datname = current_database()`;
  return Number(row.n);
}
