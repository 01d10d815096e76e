import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../src/runner/retention';
import { recoverLostRuns } from '../src/runner/recover';
import { createHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ RUN_RETENTION_DAYS: '30' });
});
afterAll(() => h.close());

// A finished run `daysAgo` days old, with its log file.
async function oldRun(taskId: string, daysAgo: number): Promise<number> {
  const [row] = await h.tdb.db.execute<{ id: number }>(sql`
    insert into runs (task_id, status, timeout_s, created_at, started_at, finished_at)
    values (${taskId}, 'success', 60, now() - make_interval(days => ${daysAgo}::int), now() - make_interval(days => ${daysAgo}::int),
            now() - make_interval(days => ${daysAgo}::int))
    returning id`);
  fs.writeFileSync(path.join(h.dirs.logsDir, `${taskId}_${row.id}.log`), 'old output\n');
  return Number(row.id);
}
const exists = async (id: number) => (await h.app.request(`/api/runs/${id}`)).status === 200;

describe('retention', () => {
  it('deletes runs and logs past RUN_RETENTION_DAYS or their task’s own setting; 0 keeps forever', async () => {
    await h.tdb.db.execute(sql`insert into tasks (id, retention_days) values ('keep', 0), ('short', 2)`);
    const stale = await oldRun('plain', 31);
    const recent = await oldRun('plain', 5);
    const kept = await oldRun('keep', 400);
    const short = await oldRun('short', 3);
    expect(await applyRetention(h.runnerContext())).toBe(2);
    expect(await exists(stale)).toBe(false);
    expect(fs.existsSync(path.join(h.dirs.logsDir, `plain_${stale}.log`))).toBe(false);
    expect(await exists(short)).toBe(false);
    expect(await exists(recent)).toBe(true);
    expect(await exists(kept)).toBe(true);
    expect(fs.existsSync(path.join(h.dirs.logsDir, `keep_${kept}.log`))).toBe(true);
  });
});

describe('retry_on_lost', () => {
  it('queues a lost run once more as attempt 2; a lost retry stays lost', async () => {
    await h.tdb.db.execute(sql`insert into tasks (id, retry_on_lost) values ('flaky', true)`);
    const loseRunning = async (retryOf: number | null, attempt: number) => {
      const runner = `dead-${attempt}`;
      await h.tdb.db.execute(sql`insert into runners (id, host, pid, boot_id, slots, version, heartbeat_at)
        values (${runner}, 'elsewhere', 1, 'b', 1, 'x', now() - interval '1 hour')`);
      const [row] = await h.tdb.db.execute<{ id: number }>(sql`
        insert into runs (task_id, status, timeout_s, runner_id, host, started_at, attempt, retry_of)
        values ('flaky', 'running', 60, ${runner}, 'elsewhere', now(), ${attempt}, ${retryOf}) returning id`);
      return Number(row.id);
    };
    const first = await loseRunning(null, 1);
    await recoverLostRuns(h.runnerContext());
    expect((await (await h.app.request(`/api/runs/${first}`)).json()).status).toBe('lost');
    const [retry] = await h.tdb.db.execute<{ id: number; status: string; attempt: number; trigger: string }>(
      sql`select id, status, attempt, trigger from runs where retry_of = ${first}`,
    );
    expect(retry).toMatchObject({ status: 'queued', attempt: 2, trigger: 'retry' });

    await h.tdb.db.execute(sql`delete from runs where id = ${retry.id}`);
    const second = await loseRunning(first, 2);
    await recoverLostRuns(h.runnerContext());
    expect((await (await h.app.request(`/api/runs/${second}`)).json()).status).toBe('lost');
    expect(await h.tdb.db.execute(sql`select id from runs where retry_of = ${second}`)).toHaveLength(0);
  });
});
