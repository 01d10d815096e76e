import type postgres from 'postgres';
import { monoMs } from '../lib/clock';
import { connect, watchRuns } from '../lib/db';
import { execute, getText } from '../lib/http';
import { rps, startHello } from '../lib/load';
import { startProduct } from '../lib/product';
import { median, round } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

const TASKS = 1000;
const name = (i: number) => `task${String(i).padStart(4, '0')}`;

/** 5. Requests per second of the web tier against a bare node:http server, and the task list page. */
export const webTier: Scenario = { id: 5, name: 'Web tier', run };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const seconds = ctx.opts.quick ? 1 : 5;
  const rounds = ctx.opts.quick ? 1 : 3;
  const pageSamples = ctx.opts.quick ? 20 : 200;
  const tasks: Record<string, string> = {};
  for (let i = 0; i < TASKS; i++) tasks[`${name(i)}.sh`] = 'echo ok\n';
  const p = await startProduct(ctx.ws, { name: 'web', dataFrom: ctx.ws.template, tasks });
  const hello = await startHello();
  const sql = connect(p.dbUrl);
  try {
    await seedHistory(sql);
    const watcher = await watchRuns(sql);
    const runId = await execute(p.base, name(0));
    if ((await watcher.ended(runId)) !== 'success') throw new Error(`run ${runId} failed`);
    // The task list page is GET /; a build of an older commit without pages has only the JSON list.
    const home = await getText(p.base, '/');
    const page = home.status === 200 && home.body.includes('<html') ? '/' : '/api/tasks';
    if (page === '/' && !home.body.includes(name(TASKS - 1))) ctx.log('  note: GET / does not list every task on its first page');
    // A probe sends no credentials; API clients send their token (a browser's session cookie costs a
    // lookup too); /healthz with a token shows what authenticating a request costs.
    const targets = [
      { key: 'hello', url: `${hello.base}/`, token: false },
      { key: '/healthz', url: `${p.base}/healthz`, token: false },
      { key: '/healthz+token', url: `${p.base}/healthz`, token: true },
      { key: '/api/runs/:id', url: `${p.base}/api/runs/${runId}`, token: true },
      { key: page, url: `${p.base}${page}`, token: true },
      ...(page === '/' ? [{ key: '/api/tasks', url: `${p.base}/api/tasks`, token: true }] : []),
    ];
    for (const t of targets) await rps(t.url, 1, t.token);
    const got = new Map<string, number[]>(targets.map((t) => [t.key, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so that the baseline is measured between the routes, not only before them.
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(k + r) % targets.length];
        got.get(t.key)!.push(await rps(t.url, seconds, t.token));
      }
    }
    // One client, one request at a time: how long the page with 1,000 tasks takes to answer.
    const pageMs: number[] = [];
    for (let i = 0; i < pageSamples; i++) {
      const t0 = monoMs();
      const r = await getText(p.base, page);
      pageMs.push(monoMs() - t0);
      if (r.status !== 200) throw new Error(`GET ${page}: ${r.status}`);
    }
    const m = (key: string) => median(got.get(key)!);
    const base = m('hello');
    ctx.details.web = {
      seconds,
      rounds,
      connections: 10,
      tasks: TASKS,
      page,
      page_bytes: home.body.length,
      rps: Object.fromEntries([...got].map(([k, v]) => [k, v.map((x) => round(x))])),
      page_ms: pageMs.map((x) => round(x)),
    };
    const note = `autocannon, 10 connections, ${seconds} s × ${rounds} rounds, median`;
    const rows: Row[] = [
      {
        scenario: '5 web',
        metric: 'GET /healthz, requests/s',
        unit: 'req/s',
        taskrun: m('/healthz'),
        baseline: base,
        target: { kind: 'ratio-min', value: 0.8 },
        note: `${note}; baseline: bare node:http hello-world`,
      },
      {
        scenario: '5 web',
        metric: 'GET /healthz with an API token, requests/s',
        unit: 'req/s',
        taskrun: m('/healthz+token'),
        baseline: base,
        target: { kind: 'info' },
        note: 'the same route; the difference is authenticating the token',
      },
      {
        scenario: '5 web',
        metric: 'GET /api/runs/:id, requests/s',
        unit: 'req/s',
        taskrun: m('/api/runs/:id'),
        baseline: base,
        target: { kind: 'ratio-min', value: 0.25 },
      },
      {
        scenario: '5 web',
        metric: `GET ${page} (task list, ${TASKS} tasks), requests/s`,
        unit: 'req/s',
        taskrun: m(page),
        baseline: base,
        target: { kind: 'ratio-min', value: 0.25 },
        note: page === '/' ? undefined : 'the task list page did not exist yet: measured GET /api/tasks',
      },
      {
        scenario: '5 web',
        metric: `GET ${page} (task list, ${TASKS} tasks), one client`,
        unit: 'ms',
        taskrun: median(pageMs),
        baseline: null,
        target: { kind: 'abs-max', value: 20 },
        note: `median of ${pageSamples} sequential requests; ${Math.round(home.body.length / 1024)} KiB`,
      },
    ];
    if (page === '/') {
      rows.push({
        scenario: '5 web',
        metric: 'GET /api/tasks (1,000 tasks), requests/s',
        unit: 'req/s',
        taskrun: m('/api/tasks'),
        baseline: base,
        target: { kind: 'info' },
      });
    }
    return rows;
  } finally {
    await sql.end({ timeout: 2 });
    await hello.stop();
    await p.stop();
  }
}

// Two finished runs per task, so every row of the list shows a last run, as on a server in use.
async function seedHistory(sql: postgres.Sql): Promise<void> {
  await sql`
    insert into runs (task_id, status, trigger, timeout_s, created_at, started_at, finished_at, exit_code, runner_id, host, log_bytes)
    select 'task' || lpad((g % ${TASKS})::text, 4, '0'), case when g % 7 = 0 then 'failed' else 'success' end, 'api', 3600,
      now() - make_interval(secs => 5000 - g), now() - make_interval(secs => 5000 - g), now() - make_interval(secs => 4999 - g),
      case when g % 7 = 0 then 1 else 0 end, 'bench', 'bench', 3
    from generate_series(1, ${TASKS * 2}) as g`;
  await sql`analyze runs`;
}
