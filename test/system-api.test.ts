import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
});
afterAll(() => h.close());

describe('system API', () => {
  it('reports machine figures, the queue and the live runners', async () => {
    const info = await (await h.app.request('/api/system/info')).json();
    expect(info.cpu.cores).toBeGreaterThan(0);
    expect(info.cpu.load_avg).toHaveLength(3);
    expect(info.memory.total).toBeGreaterThan(info.memory.free);
    expect(info.uptime_s).toBeGreaterThan(0);
    expect(Array.isArray(info.disks)).toBe(true);
    expect(info).toMatchObject({ running_runs: 0, queued_runs: 0 });
    expect(info.runners).toHaveLength(1);
    expect(info.runners[0]).toMatchObject({ slots: 5, running: 0 });
  });

  it('lists the processes of a running run with its run id, children included', async () => {
    writeTask(h.dirs, 'busy.sh', 'sleep 300 &\nwhile true; do :; done\n');
    const { run_id } = await (await h.app.request('/api/tasks/busy/execute', { method: 'POST' })).json();
    const mine = await waitFor(async () => {
      const procs = await (await h.app.request('/api/system/processes')).json();
      const rows = procs.filter((p: { run_id: number | null }) => p.run_id === run_id);
      return rows.length >= 2 ? rows : null;
    }, 30_000, 'run processes');
    expect(mine.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['bash', 'sleep']));
    expect(mine[0]).toMatchObject({ task_id: 'busy' });
    const info = await (await h.app.request('/api/system/info')).json();
    expect(info).toMatchObject({ running_runs: 1 });
    expect(info.runners[0].running).toBe(1);
    await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' });
    await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).status === 'canceled');
  });
});
