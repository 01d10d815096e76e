import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { startProcess, type Proc } from './support/processes';
import { readSse, type SseEvent } from './support/sse';
import { freePort } from '../src/db/embedded';

let h: Harness;
const procs: Proc[] = [];
beforeAll(async () => {
  h = await createHarness({ MAX_QUEUED_RUNS: '1000' });
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await h.close();
});

// Each run appends "start <ns>" and "end <ns>" to a file of its task.
const recorder = (dir: string, id: string) =>
  `echo "start $(date +%s%N)" >> ${dir}/${id}.times\nsleep 0.0$((RANDOM % 5))\necho "end $(date +%s%N)" >> ${dir}/${id}.times\n`;

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

describe('three runner processes on one database', () => {
  it('never overlap two runs of one task under 1,000 concurrent executes of one task and of 100 others', async () => {
    const times = path.join(h.dirs.out, 'times');
    fs.mkdirSync(times);
    fs.chmodSync(times, 0o777);
    const ids = ['hot', ...Array.from({ length: 100 }, (_, i) => `t${i}`)];
    // Every run of a task appends to one file, each as the uid its run got: the file is everybody's.
    for (const id of ids) fs.writeFileSync(path.join(times, `${id}.times`), '', { mode: 0o666 });
    for (const id of ids) fs.chmodSync(path.join(times, `${id}.times`), 0o666);
    for (const id of ids) writeTask(h.dirs, `${id}.sh`, recorder(times, id));
    for (let i = 0; i < 3; i++) procs.push(startProcess('src/runner/main.ts', { ...h.env, MAX_TASK_WORKERS: '5' }));
    await waitFor(async () => (await (await h.app.request('/api/system/info')).json()).runners.length === 3, 60_000, '3 runners');

    const calls = [...Array.from({ length: 1000 }, () => 'hot'), ...ids.slice(1).flatMap((id) => Array(5).fill(id) as string[])];
    const statuses: Record<number, number> = {};
    await pool(calls, 40, async (id) => {
      const res = await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      await res.arrayBuffer();
    });
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['202', '409']));
    expect(statuses[500]).toBeUndefined();
    await waitFor(
      async () => {
        const info = await (await h.app.request('/api/system/info')).json();
        return info.running_runs === 0 && info.queued_runs === 0;
      },
      120_000,
      'all runs to finish',
    );

    const runnersUsed = new Set<string>();
    let runs = 0;
    for (const id of ids) {
      const text = fs.readFileSync(path.join(times, `${id}.times`), 'utf8').trim();
      const lines = text ? text.split('\n') : [];
      // Sequential runs read start, end, start, end...; an overlap would put two starts in a row.
      lines.forEach((line, i) => {
        expect(line.startsWith(i % 2 === 0 ? 'start' : 'end')).toBe(true);
      });
      runs += lines.length / 2;
    }
    expect(runs).toBe(statuses[202]);
    const page = await (await h.app.request('/api/runs?limit=500')).json();
    expect(page.runs.every((r: { status: string }) => r.status === 'success')).toBe(true);
    for (const r of await h.tdb.db.query.runs.findMany({ columns: { runnerId: true } })) runnersUsed.add(r.runnerId!);
    expect(runnersUsed.size).toBe(3);
    // 101 tasks' runs through three runners: minutes on a loaded 2-core machine, not a bound on speed.
  }, 180_000);
});

describe('a runner stopped with SIGTERM', () => {
  it('claims nothing more, lets running runs finish within SHUTDOWN_GRACE_S, then cancels the rest', async () => {
    const gate = path.join(h.dirs.root, 'gate-short');
    writeTask(h.dirs, 'short.sh', `while [ ! -e ${gate} ]; do sleep 0.05; done\necho finished\n`);
    writeTask(h.dirs, 'endless.sh', 'echo forever\nsleep 1000\n');
    writeTask(h.dirs, 'waiting.sh', 'echo never started\n');
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    const runner = startProcess('src/runner/main.ts', { ...h.env, MAX_TASK_WORKERS: '2', SHUTDOWN_GRACE_S: '3' });
    procs.push(runner);
    const exec = async (id: string) =>
      (await (await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST' })).json()).run_id as number;
    const get = async (id: number) => (await h.app.request(`/api/runs/${id}`)).json();
    const short = await exec('short');
    const endless = await exec('endless');
    await waitFor(async () => (await get(short)).status === 'running' && (await get(endless)).status === 'running', 30_000, 'both running');
    const waiting = await exec('waiting');

    runner.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    fs.writeFileSync(gate, '');
    expect(await runner.exited).toBe(0);
    expect(await get(short)).toMatchObject({ status: 'success' });
    expect(await get(endless)).toMatchObject({ status: 'canceled', error: 'canceled: the runner shut down' });
    expect(await get(waiting)).toMatchObject({ status: 'queued' });
    expect((await (await h.app.request('/api/system/info')).json()).runners).toHaveLength(0);
  });
});

describe('two web nodes', () => {
  it('serve the same data; a run executed through node B streams on node A, across a restart of node A', async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    const [portA, portB] = [await freePort(), await freePort()];
    const web = (port: number) => {
      const p = startProcess('src/web/main.ts', { ...h.env, PORT: String(port) });
      procs.push(p);
      return p;
    };
    let nodeA = web(portA);
    web(portB);
    procs.push(startProcess('src/runner/main.ts', h.env));
    const up = (port: number) =>
      waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
        `node on ${port}`,
      );
    await up(portA);
    await up(portB);
    const gate = path.join(h.dirs.root, 'gate-web');
    writeTask(h.dirs, 'twonodes.sh', `echo first half\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\necho second half\n`);
    const authed = (url: string, init: RequestInit = {}) =>
      fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${h.token}` } });
    const tasksA = await (await authed(`http://127.0.0.1:${portA}/api/tasks`)).json();
    const tasksB = await (await authed(`http://127.0.0.1:${portB}/api/tasks`)).json();
    expect(tasksA.map((t: { id: string }) => t.id)).toEqual(tasksB.map((t: { id: string }) => t.id));

    const { run_id } = await (await authed(`http://127.0.0.1:${portB}/api/tasks/twonodes/execute`, { method: 'POST' })).json();
    const seen: SseEvent[] = [];
    const first = new AbortController();
    for await (const ev of readSse(await authed(`http://127.0.0.1:${portA}/api/runs/${run_id}/stream`, { signal: first.signal }))) {
      seen.push(ev);
      if (ev.event === 'log' && ev.data.includes('first half')) break;
    }
    first.abort();
    nodeA.child.kill('SIGKILL');
    await nodeA.exited;
    nodeA = web(portA);
    await up(portA);
    fs.writeFileSync(gate, '');
    const lastId = seen.filter((e) => e.event === 'log').at(-1)!.id!;
    const res = await authed(`http://127.0.0.1:${portA}/api/runs/${run_id}/stream`, { headers: { 'Last-Event-ID': lastId } });
    for await (const ev of readSse(res)) seen.push(ev);
    expect(
      seen
        .filter((e) => e.event === 'log')
        .map((e) => e.data)
        .join(''),
    ).toBe('first half\nsecond half\n');
    expect(seen.at(-1)!.event).toBe('end');
  });
});
