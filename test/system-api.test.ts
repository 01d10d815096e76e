import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/routes/app';
import { writeTask } from './support/dirs';
import { asCaller, createHarness, waitFor, type Harness } from './support/harness';
import { bearer, seedPrincipals, type Principals } from './support/principals';

type Proc = { pid: number; name: string; command: string; of_run: boolean; run_id: number | null; task_id: string | null };

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness();
  p = await seedPrincipals(h);
  await h.startRunner();
});
afterAll(() => h.close());

/**
 * Another program of the machine with a password on its command line (a database client, say): a
 * real process (a little busy, so that it ranks among the busiest), started as `uid` when given.
 */
function otherProgram(uid?: number): { child: ChildProcess; password: string; stop: () => void } {
  const password = `hunter2-${crypto.randomBytes(6).toString('hex')}`;
  const busy = 'setInterval(() => { const end = Date.now() + 20; while (Date.now() < end); }, 100)';
  const child = spawn(process.execPath, ['-e', busy, '--', `--password=${password}`], { stdio: 'ignore', cwd: '/', uid, gid: uid });
  return { child, password, stop: () => void child.kill('SIGKILL') };
}

const processesAs = async (role: keyof Principals['tokens'], app = h.app): Promise<{ text: string; rows: Proc[] }> => {
  const res = await app.request('/api/system/processes', { headers: bearer(p.tokens[role]) });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, rows: JSON.parse(text) };
};

const pageAs = async (role: keyof Principals['tokens'], path: string) =>
  (await h.app.request(path, { headers: bearer(p.tokens[role]) })).text();

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

  it('shows another program and its command line to admins only, in the API and on the System page', async () => {
    const other = otherProgram();
    try {
      const seen = await waitFor(
        async () => (await processesAs('admin')).rows.find((r) => r.pid === other.child.pid),
        20_000,
        'the program in the admin view',
      );
      expect(seen).toMatchObject({ of_run: false, run_id: null, command: expect.stringContaining(`--password=${other.password}`) });
      // The page lists the top 50 by CPU, sampled again: on a busy machine it may take a sample or two.
      await waitFor(
        async () => (await pageAs('admin', '/system/processes')).includes(other.password),
        20_000,
        'the program on the admin page',
      );
      for (const role of ['viewer', 'operator', 'editor'] as const) {
        const { text, rows } = await processesAs(role);
        expect(text, role).not.toContain(other.password);
        expect(
          rows.map((r) => r.pid),
          role,
        ).not.toContain(other.child.pid);
        expect(
          rows.every((r) => r.of_run),
          role,
        ).toBe(true);
        for (const path of ['/system', '/system/processes']) {
          const html = await pageAs(role, path);
          expect(html, `${role} ${path}`).not.toContain(other.password);
          expect(html, `${role} ${path}`).toContain('Only the processes of runs are shown');
        }
      }
    } finally {
      other.stop();
    }
  });

  it('lists the processes of a running run to every role, children and those that left its group included', async () => {
    const escapedPid = path.join(h.dirs.root, 'escaped.pid');
    writeTask(h.dirs, 'busy.sh', `sleep 300 &\nsetsid sleep 301 &\necho $! > ${escapedPid}\nwhile true; do :; done\n`);
    const { run_id } = await (await h.app.request('/api/tasks/busy/execute', { method: 'POST' })).json();
    try {
      for (const role of ['viewer', 'admin'] as const) {
        const mine = await waitFor(
          async () => {
            const rows = (await processesAs(role)).rows.filter((r) => r.run_id === run_id);
            // `setsid` shows under its own name until it has exec'd sleep: wait for all three.
            const commands = rows.map((r) => r.command);
            return commands.includes('sleep 300') && commands.includes('sleep 301') && commands.some((c) => c.startsWith('bash '))
              ? rows
              : null;
          },
          30_000,
          `run processes as ${role}`,
        );
        expect(mine.map((r) => r.command)).toEqual(expect.arrayContaining(['sleep 300', 'sleep 301', expect.stringMatching(/^bash /)]));
        expect(mine.every((r) => r.of_run && r.task_id === 'busy')).toBe(true);
      }
      expect(await pageAs('viewer', '/system/processes')).toContain(`href="/runs/${run_id}"`);
      const info = await (await h.app.request('/api/system/info')).json();
      expect(info).toMatchObject({ running_runs: 1 });
      expect(info.runners[0].running).toBe(1);
    } finally {
      await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' });
      await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).status === 'canceled');
      // setsid took it out of the run's group, so cancelling did not reach it.
      if (fs.existsSync(escapedPid)) process.kill(Number(fs.readFileSync(escapedPid, 'utf8')), 'SIGKILL');
    }
  });

  it("counts a process of a run's uid as a run's, wherever its group is", async () => {
    // As root the program runs as the pool's first uid, as a run's process will; otherwise the pool is
    // moved onto this test's own uid.
    const root = process.getuid!() === 0;
    const cfg = root ? h.cfg : { ...h.cfg, runUidBase: process.getuid!(), runUidCount: 1 };
    const app = asCaller(createApp({ ...h.deps, cfg }), h.token);
    const other = otherProgram(root ? cfg.runUidBase : undefined);
    try {
      const seen = await waitFor(
        async () => (await processesAs('viewer', app)).rows.find((r) => r.pid === other.child.pid),
        20_000,
        'the pooled program as a viewer',
      );
      expect(seen).toMatchObject({ of_run: true, run_id: null, task_id: null });
    } finally {
      other.stop();
    }
  });
});
