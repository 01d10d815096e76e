import fs from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { mustSucceed, startBare } from '../lib/bare';
import { monoMs, sleep } from '../lib/clock';
import { connect, transactions, waitIdle, watchRuns } from '../lib/db';
import { execute } from '../lib/http';
import { FreeList, runPool } from '../lib/pool';
import { cpuByGroup, MB, pidsWithCwdIn, rss } from '../lib/procs';
import { startExtraRunner, startProduct } from '../lib/product';
import { round } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

const TASKS = 200;
const WORKERS = 8; // MAX_TASK_WORKERS of each of the two runners
const CLIENTS = 32;
const name = (i: number) => `burst${String(i).padStart(3, '0')}`;

/** 3. Many runs of a trivial task over 200 tasks from concurrent clients, two runners of 8 slots. */
export const burst: Scenario = { id: 3, name: 'Burst throughput', run };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const total = ctx.opts.quick ? 400 : 10_000;
  const rounds = ctx.opts.quick ? 1 : 10;
  const tasks: Record<string, string> = {};
  for (let i = 0; i < TASKS; i++) tasks[`${name(i)}.sh`] = 'echo ok\n';
  // pg_stat_statements counts every statement exactly; the bench's copy of the cluster preloads it.
  const p = await startProduct(ctx.ws, {
    name: 'burst',
    dataFrom: ctx.ws.template,
    pgConf: ["shared_preload_libraries = 'pg_stat_statements'", 'pg_stat_statements.track = top', 'pg_stat_statements.track_utility = on'],
    tasks,
    env: { MAX_TASK_WORKERS: String(WORKERS), MAX_QUEUED_RUNS: String(TASKS * 2) },
  });
  const runner2 = await startExtraRunner(p, { MAX_TASK_WORKERS: String(WORKERS) });
  // As the superuser: pg_stat_statements is an extension, and its counts cover every role's statements.
  const sql = connect(p.ownerUrl);
  const baseDir = path.join(p.dir, 'baseline-logs');
  fs.mkdirSync(baseDir);
  const bare = startBare();
  try {
    await sql`create extension if not exists pg_stat_statements`;
    const watcher = await watchRuns(sql);
    const free = new FreeList(Array.from({ length: TASKS }, (_, i) => name(i)));
    const failures: string[] = [];
    // Concurrent clients, each executing whichever task has no active run (one active run per task);
    // a task is free again once the NOTIFY of its run's end arrives (which can come before the 202).
    const viaTaskrun = async (count: number): Promise<number> => {
      const ends: Promise<void>[] = [];
      const t0 = monoMs();
      await runPool(count, CLIENTS, async () => {
        const task = await free.take();
        const runId = await execute(p.base, task);
        ends.push(
          watcher.ended(runId, 600_000).then((status) => {
            if (status !== 'success') failures.push(`run ${runId} of ${task}: ${status}`);
            free.give(task);
          }),
        );
      });
      await Promise.all(ends);
      if (failures.length) throw new Error(`burst runs failed: ${failures.slice(0, 5).join('; ')}`);
      return monoMs() - t0;
    };
    // The floor: the same scripts spawned by a bare Node process at the runners' total concurrency,
    // each writing to a file of its own as the runner's log would be.
    const direct = async (count: number): Promise<number> => {
      const jobs = Array.from({ length: count }, (_, i) => ({
        cmd: 'bash',
        args: [path.join(p.tasksDir, `${name(i % TASKS)}.sh`)],
        file: path.join(baseDir, `${i % 1000}.log`),
      }));
      const r = await bare.batch(jobs, WORKERS * 2, p.tasksDir);
      mustSucceed(r.code, 'a burst task');
      return r.ms;
    };
    await direct(100);
    await viaTaskrun(100);
    await waitIdle(sql);
    await sleep(1500); // backends flush their transaction counts at most once a second
    await sql`select pg_stat_statements_reset()`;
    const tx0 = await transactions(sql);
    // Where the CPU goes: each taskrun process's CPU time over the measured rounds (idle during the
    // baseline rounds, so they add next to nothing); the bench's own figure includes its clients.
    const groups = () => ({
      web: [p.childPid('web')!],
      runner: [p.childPid('runner')!],
      runner2: [runner2.pid],
      postgres: pidsWithCwdIn(path.join(p.dataDir, 'pg')),
      bench: [process.pid],
    });
    const cpu0 = cpuByGroup(groups());
    const per = Math.ceil(total / rounds);
    let trMs = 0;
    let baseMs = 0;
    let trRuns = 0;
    let baseRuns = 0;
    for (let r = 0; r < rounds; r++) {
      const n = Math.min(per, total - trRuns);
      baseMs += await direct(n);
      baseRuns += n;
      trMs += await viaTaskrun(n);
      trRuns += n;
      ctx.log(`  round ${r + 1}/${rounds}: ${trRuns} runs`);
    }
    const cpu1 = cpuByGroup(groups());
    await sleep(1500);
    const tx = (await transactions(sql)) - tx0;
    const statements = await statementCounts(sql);
    await sleep(2000);
    const idleRss = rss(p.childPid('web')) + rss(p.childPid('runner'));
    const trRate = trRuns / (trMs / 1000);
    const baseRate = baseRuns / (baseMs / 1000);
    ctx.details.burst = {
      runs: trRuns,
      rounds,
      clients: CLIENTS,
      runners: 2,
      slots_each: WORKERS,
      taskrun_runs_per_s: trRate,
      baseline_runs_per_s: baseRate,
      transactions_per_run: tx / trRuns,
      statements_per_run: statements.total / trRuns,
      statements: statements.rows.map((s) => ({ ...s, per_run: round(s.calls / trRuns, 3) })),
      idle_rss_web_plus_runner_mb: idleRss / MB,
      // The bench's own CPU includes its clients and LISTEN; postgres counts the backends alive at both readings.
      cpu_ms_per_run: Object.fromEntries(Object.keys(cpu1).map((k) => [k, round((cpu1[k] - cpu0[k]) / trRuns, 2)])),
    };
    return [
      {
        scenario: '3 burst',
        metric: 'runs per second (2 runners × 8 slots)',
        unit: 'runs/s',
        taskrun: trRate,
        baseline: baseRate,
        target: { kind: 'ratio-min', value: 0.5 },
        note: `${trRuns} runs over ${TASKS} tasks by ${CLIENTS} clients, ${rounds} rounds alternating with the baseline; CPU ms per run: ${Object.keys(
          cpu1,
        )
          .map((k) => `${k} ${round((cpu1[k] - cpu0[k]) / trRuns, 1)}`)
          .join(', ')}`,
      },
      {
        scenario: '3 burst',
        metric: 'SQL statements per run (pg_stat_statements)',
        unit: '',
        taskrun: statements.total / trRuns,
        baseline: null,
        target: { kind: 'abs-max', value: 6 },
        note: `${round(tx / trRuns)} transactions per run (pg_stat_database)`,
      },
    ];
  } finally {
    bare.stop();
    await sql.end({ timeout: 2 });
    await runner2.stop();
    await p.stop();
  }
}

type StatementCount = { query: string; calls: number; mean_ms: number };

// Every statement taskrun sent since the reset, by text; the bench's own look-ups are left out.
async function statementCounts(sql: postgres.Sql): Promise<{ total: number; rows: StatementCount[] }> {
  const rows = await sql<StatementCount[]>`
    select regexp_replace(query, '\\s+', ' ', 'g') as query, sum(calls)::float8 as calls, (sum(total_exec_time) / sum(calls))::float8 as mean_ms
    from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and query not ilike '%pg_stat%' and query not ilike '%pg_stat_statements%'
    group by 1 order by 2 desc`;
  return { total: rows.reduce((a, r) => a + r.calls, 0), rows };
}
