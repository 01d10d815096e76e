import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { startProcess, type Proc } from './support/processes';

let h: Harness;
let runner: Proc;
beforeAll(async () => {
  h = await createHarness({ LOG_MAX_BYTES: String(2 * 1024 ** 3) });
  runner = startProcess('src/runner/main.ts', h.env);
});
afterAll(async () => {
  await runner.stop();
  await h.close();
});

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const BYTES = 300 * 1024 * 1024;

describe('a task that prints hundreds of megabytes', () => {
  it('streams it all to the log file without growing the runner by more than a few tens of MB', async () => {
    writeTask(h.dirs, 'firehose.sh', `yes 'a line of log output that repeats over and over' | head -c ${BYTES}\n`);
    const pid = runner.child.pid!;
    await waitFor(async () => (await (await h.app.request('/api/system/info')).json()).runners.length === 1, 30_000, 'runner up');
    const before = rssOf(pid);
    let peak = before;
    const { run_id } = await (await h.app.request('/api/tasks/firehose/execute', { method: 'POST' })).json();
    const run = await waitFor(
      async () => {
        peak = Math.max(peak, rssOf(pid));
        const r = await (await h.app.request(`/api/runs/${run_id}`)).json();
        return r.finished_at ? r : null;
      },
      120_000,
      'firehose to end',
    );
    expect(run).toMatchObject({ status: 'success', log_bytes: BYTES });
    expect(fs.statSync(`${h.dirs.logsDir}/firehose_${run_id}.log`).size).toBe(BYTES);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
