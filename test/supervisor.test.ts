import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded';
import { waitFor } from './support/harness';
import { processAlive, startProcess, type Proc } from './support/processes';

// `npm start` as a user runs it: embedded PostgreSQL, a web process and a runner, supervised.
let root: string;
let env: Record<string, string>;
let base: string;
const started: Proc[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-start-'));
  fs.chmodSync(root, 0o755); // as root, the embedded server runs as taskrun-pg and must enter DATA_DIR
  const port = await freePort();
  env = {
    PORT: String(port),
    DATA_DIR: path.join(root, 'data'),
    TASKS_DIR: path.join(root, 'tasks'),
    LOGS_DIR: path.join(root, 'logs'),
    SHUTDOWN_GRACE_S: '5',
    DATABASE_URL: '',
  };
  base = `http://127.0.0.1:${port}`;
  fs.mkdirSync(env.TASKS_DIR);
  fs.writeFileSync(path.join(env.TASKS_DIR, 'gated.sh'), `echo waiting\nwhile [ ! -e ${root}/gate ]; do sleep 0.05; done\necho released\n`);
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

// What `npm start` runs: the dist/ bundle with plain node (built first when the sources changed).
const start = () => {
  const p = startProcess('scripts/run.mjs', env, ['main']);
  started.push(p);
  return p;
};
const healthy = () =>
  fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
const childPids = (pid: number, match: string) =>
  fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => {
      try {
        const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
        return (
          Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid &&
          fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(match)
        );
      } catch {
        return false;
      }
    });

describe('npm start', () => {
  it('serves the API, survives a crashed web process without stopping runs, and stops everything on SIGTERM', async () => {
    const app = start();
    await waitFor(healthy, 60_000, 'taskrun to start');
    expect(fs.statSync(path.join(env.DATA_DIR, 'pg-password')).mode & 0o777).toBe(0o600);
    // An operator's token, made with the CLI against the embedded server that `npm start` runs.
    const cli = spawnSync(process.execPath, ['scripts/run.mjs', 'cli/main', 'token', 'create', '--name', 'ops', '--role', 'admin'], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    const auth = { authorization: `Bearer ${cli.stdout.trim()}` };
    const fetch = (url: string, init: RequestInit = {}) =>
      globalThis.fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...auth } });
    expect((await globalThis.fetch(`${base}/api/tasks`)).status).toBe(401);
    const { run_id } = await (await fetch(`${base}/api/tasks/gated/execute`, { method: 'POST' })).json();
    await waitFor(async () => (await (await fetch(`${base}/api/runs/${run_id}`)).json()).status === 'running', 30_000, 'run to start');

    const [web] = childPids(app.child.pid!, 'web/main.js');
    const [runner] = childPids(app.child.pid!, 'runner/main.js');
    expect(web && runner).toBeTruthy();
    process.kill(web, 'SIGKILL');
    await waitFor(
      async () => childPids(app.child.pid!, 'web/main.js').some((p) => p !== web) && (await healthy()),
      30_000,
      'web restarted',
    );
    expect(await (await fetch(`${base}/api/runs/${run_id}`)).json()).toMatchObject({ status: 'running' });

    fs.writeFileSync(path.join(root, 'gate'), '');
    await waitFor(async () => (await (await fetch(`${base}/api/runs/${run_id}`)).json()).status === 'success', 30_000, 'run to end');
    expect(await (await fetch(`${base}/api/logs/gated_${run_id}.log`)).text()).toBe('waiting\nreleased\n');

    const postgresPid = Number(fs.readFileSync(path.join(env.DATA_DIR, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(processAlive(runner)).toBe(false);
    expect(processAlive(postgresPid)).toBe(false);
    expect(fs.existsSync(path.join(env.DATA_DIR, 'embedded-url'))).toBe(false);

    // A second start reuses the data folder and still knows the run.
    const again = start();
    await waitFor(healthy, 60_000, 'taskrun to start again');
    expect(await (await fetch(`${base}/api/runs/${run_id}`)).json()).toMatchObject({ status: 'success' });
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
