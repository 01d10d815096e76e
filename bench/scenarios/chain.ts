import path from 'node:path';
import { mustSucceed, startBare } from '../lib/bare';
import { monoMs } from '../lib/clock';
import { connect, watchRuns } from '../lib/db';
import { execute } from '../lib/http';
import { startProduct } from '../lib/product';
import { realPython } from '../lib/python';
import { waitEndViaSse } from '../lib/sse';
import { median, round } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

const STEPS = 40;
const id = (i: number) => `step${String(i + 1).padStart(2, '0')}`;

/** 2. Forty tiny Python tasks, each started once the previous has ended (Windmill's chain of 40). */
export const chain: Scenario = { id: 2, name: 'Chain of 40', run };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const rounds = ctx.opts.quick ? 2 : 10;
  const tasks: Record<string, string> = {};
  for (let i = 0; i < STEPS; i++) tasks[`${id(i)}.py`] = `print("step ${i + 1} of ${STEPS}")\n`;
  const p = await startProduct(ctx.ws, { name: 'chain', dataFrom: ctx.ws.template, tasks });
  const sql = connect(p.dbUrl);
  const python = await realPython();
  const bare = startBare();
  try {
    const watcher = await watchRuns(sql);
    // What an API client does: execute, follow the run's stream until its `end`, then the next step.
    const viaSse = async (): Promise<number> => {
      const t0 = monoMs();
      for (let i = 0; i < STEPS; i++) {
        const runId = await execute(p.base, id(i));
        const status = await waitEndViaSse(p.base, runId);
        if (status !== 'success') throw new Error(`chain step ${i + 1} (run ${runId}) ended ${status}`);
      }
      return monoMs() - t0;
    };
    // The same chain, its ends seen straight from the status NOTIFY: the product without the web's stream.
    const viaNotify = async (): Promise<number> => {
      const t0 = monoMs();
      for (let i = 0; i < STEPS; i++) {
        const runId = await execute(p.base, id(i));
        const status = await watcher.ended(runId);
        if (status !== 'success') throw new Error(`chain step ${i + 1} (run ${runId}) ended ${status}`);
      }
      return monoMs() - t0;
    };
    // The floor: the same interpreter and scripts, one after the other, from a bare Node process.
    const jobs = Array.from({ length: STEPS }, (_, i) => ({ cmd: python, args: [path.join(p.tasksDir, `${id(i)}.py`)], capture: true }));
    const direct = async (): Promise<number> => {
      const r = await bare.batch(jobs, 1, p.tasksDir);
      mustSucceed(r.code, 'a chain step');
      return r.ms;
    };
    await viaSse();
    await direct();
    const sse: number[] = [];
    const notify: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order = [
        () => viaSse().then((t) => sse.push(t)),
        () => direct().then((t) => base.push(t)),
        () => viaNotify().then((t) => notify.push(t)),
      ];
      // Rotate the order each round so drift and warm caches favour no side.
      for (let k = 0; k < order.length; k++) await order[(k + r) % order.length]();
    }
    const b = median(base);
    ctx.details.chain = { rounds, steps: STEPS, python, taskrun_sse_ms: sse, taskrun_notify_ms: notify, baseline_ms: base };
    const perStep = (t: number) => round((t - b) / STEPS, 1);
    return [
      {
        scenario: '2 chain of 40',
        metric: 'total, ends seen on the SSE stream',
        unit: 'ms',
        taskrun: median(sse),
        baseline: b,
        target: { kind: 'ratio-max', value: 1.3 },
        note: `median of ${rounds} chains each; ${perStep(median(sse))} ms per step over the baseline; python = ${python}`,
      },
      {
        scenario: '2 chain of 40',
        metric: 'total, ends seen by LISTEN (no web stream)',
        unit: 'ms',
        taskrun: median(notify),
        baseline: b,
        target: { kind: 'ratio-max', value: 1.3 },
        note: `${perStep(median(notify))} ms per step over the baseline`,
      },
    ];
  } finally {
    bare.stop();
    await sql.end({ timeout: 2 });
    await p.stop();
  }
}
