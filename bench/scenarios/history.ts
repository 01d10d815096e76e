import type postgres from 'postgres';
import { monoMs } from '../lib/clock';
import { connect } from '../lib/db';
import { getText } from '../lib/http';
import { startProduct, type Product } from '../lib/product';
import { median, round } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

const TASKS = 200;
const SMALL = 1_000;

/** 6. The history with a million runs: the runs page and GET /api/runs, filtered, first and deep pages. */
export const history: Scenario = { id: 6, name: 'History at scale', run };

type Query = { key: string; path: string };
type Instance = { p: Product; sql: postgres.Sql; queries: Query[] };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const big = ctx.opts.quick ? 100_000 : 1_000_000;
  const samples = ctx.opts.quick ? 15 : 100;
  const started: Instance[] = [];
  try {
    // Two servers side by side, one with 1,000 runs and one with a million, asked in turn: the
    // comparison is taken at the same moments, not minutes apart on a machine whose load drifts.
    for (const [name, n] of [
      ['history-1k', SMALL],
      ['history-big', big],
    ] as const) {
      const p = await startProduct(ctx.ws, { name, dataFrom: ctx.ws.template });
      const sql = connect(p.dbUrl);
      started.push({ p, sql, queries: [] });
      const t0 = monoMs();
      await addRuns(sql, n);
      ctx.log(`  ${n.toLocaleString('en')} runs loaded in ${round((monoMs() - t0) / 1000, 1)} s`);
    }
    const hasPage = (await getText(started[0].p.base, '/runs')).status === 200;
    for (const inst of started) inst.queries = await queriesFor(inst.sql, hasPage);
    const [small, large] = started;
    const times = started.map((inst) => new Map<string, number[]>(inst.queries.map((q) => [q.key, []])));
    for (const inst of started) for (const q of inst.queries) await get(inst.p.base, q.path);
    for (let i = 0; i < samples; i++) {
      for (let k = 0; k < small.queries.length; k++) {
        // Alternate which size goes first.
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const s of order) {
          const q = started[s].queries[k];
          const t0 = monoMs();
          await get(started[s].p.base, q.path);
          times[s].get(q.key)!.push(monoMs() - t0);
        }
      }
    }
    const med = (s: number, key: string) => median(times[s].get(key)!);
    ctx.details.history = {
      runs_small: SMALL,
      runs_big: big,
      samples,
      median_ms: Object.fromEntries(large.queries.map((q) => [q.key, { small: round(med(0, q.key)), big: round(med(1, q.key)) }])),
    };
    const rows: Row[] = large.queries.map((q) => ({
      scenario: '6 history',
      metric: q.key,
      unit: 'ms',
      taskrun: med(1, q.key),
      baseline: med(0, q.key),
      target: { kind: 'abs-and-ratio-max', abs: 20, ratio: 2 },
    }));
    rows[0].note = `taskrun: ${big.toLocaleString('en')} runs; baseline: the same server with ${SMALL.toLocaleString('en')} runs; median of ${samples}, interleaved`;
    if (!hasPage)
      rows.push({
        scenario: '6 history',
        metric: 'runs page: not built yet (GET /runs is 404)',
        unit: '',
        taskrun: null,
        baseline: null,
        target: { kind: 'info' },
      });
    return rows;
  } finally {
    for (const inst of started) {
      await inst.sql.end({ timeout: 2 });
      await inst.p.stop();
    }
  }
}

async function get(base: string, path: string): Promise<void> {
  const r = await getText(base, path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.slice(0, 200)}`);
}

// Finished runs spread over 200 tasks and every final status (mostly success), oldest first, in one statement.
async function addRuns(sql: postgres.Sql, n: number): Promise<void> {
  await sql`
    insert into runs (task_id, status, trigger, timeout_s, created_at, started_at, finished_at, exit_code, runner_id, host, log_bytes)
    select 'hist' || lpad((g % ${TASKS})::text, 3, '0'), s.status, 'api', 3600, t, t + interval '10 ms', t + interval '1 s',
      case s.status when 'success' then 0 when 'failed' then 1 else null end, 'bench', 'bench', 120
    from generate_series(1, ${n}) as g
    cross join lateral (select now() - make_interval(secs => ${n} - g) as t) as ts
    cross join lateral (select case
      when abs(hashint4(g)) % 200 < 170 then 'success' when abs(hashint4(g)) % 200 < 190 then 'failed'
      when abs(hashint4(g)) % 200 < 194 then 'timeout' when abs(hashint4(g)) % 200 < 197 then 'canceled'
      when abs(hashint4(g)) % 200 < 199 then 'error' else 'lost' end as status) as s`;
  // As autovacuum would soon after a load: fresh statistics and visibility map.
  await sql`vacuum analyze runs`;
}

// The same shapes at both sizes: a task filter and a status filter, each first page and a deep cursor
// (10% of the way up from the oldest run), plus the runs page with the same filters.
async function queriesFor(sql: postgres.Sql, hasPage: boolean): Promise<Query[]> {
  const [{ lo, hi }] = await sql<{ lo: number; hi: number }[]>`select min(id)::float8 as lo, max(id)::float8 as hi from runs`;
  const deep = Math.round(lo + (hi - lo) * 0.1);
  const list: Query[] = [
    { key: 'GET /api/runs?task_id=, first page', path: '/api/runs?task_id=hist007' },
    { key: 'GET /api/runs?task_id=, deep cursor', path: `/api/runs?task_id=hist007&cursor=${deep}` },
    { key: 'GET /api/runs?status=failed, first page', path: '/api/runs?status=failed' },
    { key: 'GET /api/runs?status=failed, deep cursor', path: `/api/runs?status=failed&cursor=${deep}` },
    { key: 'GET /api/runs?task_id=&status=lost (rare pair)', path: '/api/runs?task_id=hist007&status=lost' },
  ];
  if (hasPage) {
    list.push(
      { key: 'GET /runs (page), first page', path: '/runs' },
      { key: 'GET /runs?task_id=, deep cursor', path: `/runs?task_id=hist007&cursor=${deep}` },
      { key: 'GET /runs?status=failed, first page', path: '/runs?status=failed' },
    );
  }
  return list;
}
