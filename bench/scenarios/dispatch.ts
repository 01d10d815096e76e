import fs from 'node:fs';
import path from 'node:path';
import { mustSucceed, startBare } from '../lib/bare';
import { anchorClock, wallMs } from '../lib/clock';
import { connect, watchRuns } from '../lib/db';
import { execute } from '../lib/http';
import { startProduct } from '../lib/product';
import { round, summarize } from '../lib/stats';
import type { Row, Scenario, ScenarioContext } from '../lib/types';

// The task prints the moment it starts: bash's $EPOCHREALTIME is a builtin, so no extra process.
const STAMP = '#!/bin/bash\necho "$EPOCHREALTIME"\n';

const stampMs = (text: string): number => {
  const v = Number.parseFloat(text.trim());
  if (!Number.isFinite(v)) throw new Error(`no timestamp in ${JSON.stringify(text.slice(0, 100))}`);
  return v * 1000;
};

/** 1. From POST /api/tasks/:id/execute to the task process running, against a bare spawn of the same. */
export const dispatch: Scenario = { id: 1, name: 'Dispatch latency', run };

async function run(ctx: ScenarioContext): Promise<Row[]> {
  const n = ctx.opts.quick ? 60 : 1000;
  const p = await startProduct(ctx.ws, { name: 'dispatch', dataFrom: ctx.ws.template, tasks: { 'stamp.sh': STAMP } });
  const sql = connect(p.dbUrl);
  const bare = startBare();
  try {
    const watcher = await watchRuns(sql);
    const script = path.join(p.tasksDir, 'stamp.sh');
    const viaTaskrun = async (): Promise<{ latency: number; answered: number; runId: number; t0: number; started: number }> => {
      const t0 = wallMs();
      const runId = await execute(p.base, 'stamp');
      const answered = wallMs() - t0;
      const status = await watcher.ended(runId);
      if (status !== 'success') throw new Error(`run ${runId} ended ${status}`);
      const started = stampMs(fs.readFileSync(path.join(p.logsDir, `stamp_${runId}.log`), 'utf8'));
      return { latency: started - t0, answered, runId, t0, started };
    };
    // The floor: the same interpreter and script, spawned by a bare Node process.
    const direct = async (): Promise<number> => {
      const r = await bare.spawn({ cmd: 'bash', args: [script], capture: true }, p.tasksDir);
      mustSucceed(r.code, 'bash stamp.sh');
      return stampMs(r.stdout ?? '') - r.t0;
    };
    for (let i = 0; i < 10; i++) {
      await viaTaskrun();
      await direct();
    }
    const tr: number[] = [];
    const base: number[] = [];
    const answered: number[] = [];
    const runIds: number[] = [];
    const sent = new Map<number, { t0: number; started: number }>();
    for (let i = 0; i < n; i++) {
      anchorClock();
      await bare.anchor();
      // Alternate which goes first, so neither always runs right after the other.
      const order = i % 2 === 0 ? ['t', 'b'] : ['b', 't'];
      for (const which of order) {
        if (which === 't') {
          const r = await viaTaskrun();
          tr.push(r.latency);
          answered.push(r.answered);
          runIds.push(r.runId);
          sent.set(r.runId, r);
        } else base.push(await direct());
      }
      if (i % 200 === 199) ctx.log(`  ${i + 1}/${n}`);
    }
    // Where the time goes, from the run rows (same machine, same clock): request → row inserted (the
    // INSERT's transaction start) → claimed (the runner's clock before its UPDATE) → process running.
    const rows = await sql<{ id: number; queued: number; claimed: number }[]>`
      select id::float8 as id, extract(epoch from created_at)::float8 * 1000 as queued, extract(epoch from started_at)::float8 * 1000 as claimed
      from runs where id = any(${runIds}::int8[]) order by id`;
    const claimLag = rows.map((r) => r.claimed - r.queued);
    const toInsert = rows.map((r) => r.queued - sent.get(r.id)!.t0);
    const toSpawned = rows.map((r) => sent.get(r.id)!.started - r.claimed);
    const trS = summarize(tr);
    const baseS = summarize(base);
    ctx.details.dispatch = {
      runs: n,
      taskrun_ms: trS,
      baseline_ms: baseS,
      http_answer_ms: summarize(answered),
      request_to_inserted_ms: summarize(toInsert),
      inserted_to_claimed_ms: summarize(claimLag),
      claimed_to_process_ms: summarize(toSpawned),
    };
    const note = `n=${n} each, interleaved; HTTP 202 after ${round(summarize(answered).median)} ms median; median request → row inserted ${round(summarize(toInsert).median)} ms, → claimed ${round(summarize(claimLag).median)} ms, → process running ${round(summarize(toSpawned).median)} ms`;
    return [
      {
        scenario: '1 dispatch',
        metric: 'request → process start, median',
        unit: 'ms',
        taskrun: trS.median,
        baseline: baseS.median,
        target: { kind: 'diff-max', value: 5 },
        note,
      },
      {
        scenario: '1 dispatch',
        metric: 'request → process start, p99',
        unit: 'ms',
        taskrun: trS.p99,
        baseline: baseS.p99,
        target: { kind: 'diff-max', value: 25 },
      },
    ];
  } finally {
    bare.stop();
    await sql.end({ timeout: 2 });
    await p.stop();
  }
}
