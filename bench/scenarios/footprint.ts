import { sleep } from '../lib/clock';
import { MB, rss } from '../lib/procs';
import { startProduct } from '../lib/product';
import { median } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

/** 7. Idle memory of web plus runner, and how fast `npm start` is ready, from nothing and on existing data. */
export const footprint: Scenario = { id: 7, name: 'Footprint', run };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const rounds = ctx.opts.quick ? 1 : 3;
  const fresh: number[] = [];
  const again: number[] = [];
  const idle: { web: number; runner: number; supervisor: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    // From nothing: an empty DATA_DIR (initdb, migrations), then a restart on the same folder.
    const first = await startProduct(ctx.ws, { name: 'footprint', tasks: { 'hello.sh': 'echo hello\n' } });
    fresh.push(first.readyMs);
    await first.stop();
    const second = await startProduct(ctx.ws, { name: 'footprint', dir: first.dir });
    again.push(second.readyMs);
    await sleep(ctx.opts.quick ? 2000 : 5000);
    idle.push({ web: rss(second.childPid('web')), runner: rss(second.childPid('runner')), supervisor: rss(second.mainPid) });
    await second.stop();
  }
  const webRunner = idle.map((i) => (i.web + i.runner) / MB);
  ctx.details.footprint = {
    ready_from_nothing_ms: fresh,
    ready_existing_ms: again,
    idle_rss_mb: idle.map((i) => ({ web: i.web / MB, runner: i.runner / MB, supervisor: i.supervisor / MB })),
  };
  const last = idle[idle.length - 1];
  return [
    {
      scenario: '7 footprint',
      metric: 'idle RSS, web + runner',
      unit: 'MB',
      taskrun: median(webRunner),
      baseline: null,
      target: { kind: 'abs-max', value: 150 },
      note: `web ${Math.round(last.web / MB)} MB, runner ${Math.round(last.runner / MB)} MB; the supervisor (npm start's own process) ${Math.round(last.supervisor / MB)} MB more`,
    },
    {
      scenario: '7 footprint',
      metric: 'ready, existing data folder',
      unit: 'ms',
      taskrun: median(again),
      baseline: null,
      target: { kind: 'abs-max', value: 2000 },
      note: `median of ${rounds}; spawn → /healthz 200 and a runner registered`,
    },
    {
      scenario: '7 footprint',
      metric: 'ready, from nothing (initdb)',
      unit: 'ms',
      taskrun: median(fresh),
      baseline: null,
      target: { kind: 'abs-max', value: 10000 },
    },
  ];
}
