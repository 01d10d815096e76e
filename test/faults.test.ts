import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { closeDb, connectDb } from '../src/db/client';
import { startEmbeddedPostgres, type EmbeddedDb } from '../src/db/embedded';
import { migrateDb } from '../src/db/migrate';
import { createNotifier } from '../src/db/notify';
import { createLogger } from '../src/log';
import { LogTails } from '../src/logs';
import { createApp } from '../src/routes/app';
import { startRunEvents } from '../src/web/run-events';
import { createDirs, writeTask, type TestDirs } from './support/dirs';
import { asCaller, createHarness, waitFor, type Harness } from './support/harness';
import { createToken } from '../src/services/tokens-service';
import { SYSTEM } from '../src/services/deps';
import { processGroupAlive, startProcess, type Proc } from './support/processes';
import { tcpProxy } from './support/tcp-proxy';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('PostgreSQL restarted mid-run', () => {
  let pgRoot: string;
  let pg: EmbeddedDb;
  afterAll(async () => {
    await pg?.stop();
    fs.rmSync(pgRoot, { recursive: true, force: true });
  });

  it('the runner and the web reconnect by themselves; the end is recorded once it is back; nothing runs twice', async () => {
    pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-pgrestart-'));
    fs.chmodSync(pgRoot, 0o755);
    pg = await startEmbeddedPostgres(pgRoot);
    await migrateDb(pg.url);
    const dirs: TestDirs = createDirs();
    cleanups.push(() => dirs.cleanup());
    const env = {
      DATABASE_URL: pg.url,
      TASKS_DIR: dirs.tasksDir,
      LOGS_DIR: dirs.logsDir,
      DATA_DIR: dirs.dataDir,
      KILL_GRACE_S: '1',
      RUNNER_POLL_MS: '300',
    };
    const gate = path.join(dirs.root, 'gate');
    writeTask(dirs, 'gated.sh', `echo before\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\necho after\n`);
    const runner = startProcess('src/runner/main.ts', env);
    cleanups.push(() => runner.stop());
    const db = connectDb(pg.url, 'test-web', 4);
    const events = await startRunEvents(db);
    cleanups.push(async () => {
      await events.close();
      await closeDb(db);
    });
    const deps = {
      cfg: loadConfig(env),
      db,
      notify: createNotifier(db, () => {
        // NOTIFYs fail while the database is down; as in production (which only logs them) runners poll anyway
      }),
      events,
      logTails: new LogTails(),
      log: createLogger('t', 'silent'),
      secretKey: crypto.randomBytes(32),
    };
    const app = asCaller(createApp(deps), await createToken(deps, SYSTEM, 'faults', 'admin'));
    const get = async (id: number) => (await app.request(`/api/runs/${id}`)).json();

    const { run_id } = await (await app.request('/api/tasks/gated/execute', { method: 'POST' })).json();
    await waitFor(async () => (await get(run_id)).status === 'running', 30_000, 'run to start');

    await pg.stop();
    expect((await app.request('/healthz')).status).toBe(503);
    fs.writeFileSync(gate, ''); // the task ends while the database is away
    await new Promise((r) => setTimeout(r, 1500));
    pg = await startEmbeddedPostgres(pgRoot);

    await waitFor(async () => (await app.request('/healthz')).status === 200, 30_000, 'web to reconnect');
    const run = await waitFor(
      async () => {
        const r = await get(run_id);
        return r.status === 'success' ? r : null;
      },
      30_000,
      'end to be recorded',
    ).catch(async (err: Error) => {
      // What the runner said is the only account of where the end went.
      throw new Error(`${err.message}; the run: ${JSON.stringify(await get(run_id))}; the runner said:\n${runner.output()}`);
    });
    expect(run.exit_code).toBe(0);
    const again = await (await app.request('/api/tasks/gated/execute', { method: 'POST' })).json();
    await waitFor(async () => (await get(again.run_id)).status === 'success', 30_000, 'a new run after the restart');
    const all = await (await app.request('/api/runs?task_id=gated')).json();
    expect(all.runs.map((r: { run_id: number }) => r.run_id)).toEqual([again.run_id, run_id]);
    expect(fs.readFileSync(path.join(dirs.logsDir, `gated_${run_id}.log`), 'utf8')).toBe('before\nafter\n');
  });
});

describe('LOGS_DIR full mid-run', () => {
  it('ends the run as error with the reason, and the runner goes on serving other runs', async () => {
    const h: Harness = await createHarness();
    cleanups.push(() => h.close());
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', h.dirs.logsDir]);
    cleanups.push(() => void execFileSync('umount', ['-l', h.dirs.logsDir]));
    await h.startRunner();
    writeTask(h.dirs, 'big.sh', 'yes "filling the disk with log lines" | head -c 5000000\nsleep 30\n');
    writeTask(h.dirs, 'small.sh', 'echo fine\n');
    const { run_id } = await (await h.app.request('/api/tasks/big/execute', { method: 'POST' })).json();
    const run = await waitFor(
      async () => {
        const r = await (await h.app.request(`/api/runs/${run_id}`)).json();
        return r.finished_at ? r : null;
      },
      30_000,
      'big run to end',
    );
    expect(run.status).toBe('error');
    expect(run.error).toMatch(/writing the log failed: .*ENOSPC/);
    fs.rmSync(path.join(h.dirs.logsDir, `big_${run_id}.log`));
    const small = (await (await h.app.request('/api/tasks/small/execute', { method: 'POST' })).json()).run_id;
    await waitFor(async () => (await (await h.app.request(`/api/runs/${small}`)).json()).status === 'success', 30_000, 'next run');
  });
});

describe('a runner that loses the database for longer than RUNNER_DEAD_S', () => {
  it('stops its runs rather than let them run on while another node may count them lost', async () => {
    const h: Harness = await createHarness();
    cleanups.push(() => h.close());
    const proxy = await tcpProxy(Number(new URL(h.tdb.url).port));
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(h.tdb.url);
    viaProxy.port = String(proxy.port);
    const runner: Proc = startProcess('src/runner/main.ts', { ...h.env, DATABASE_URL: viaProxy.toString(), RUNNER_DEAD_S: '2' });
    cleanups.push(() => runner.stop());
    writeTask(h.dirs, 'long.sh', 'echo started\nsleep 1000\n');
    const { run_id } = await (await h.app.request('/api/tasks/long/execute', { method: 'POST' })).json();
    const pid = await waitFor(
      async () => {
        const rows = await h.tdb.db.query.runs.findFirst({ where: (r, { eq }) => eq(r.id, run_id) });
        return rows?.status === 'running' ? rows.pid : null;
      },
      30_000,
      'run to start',
    );
    proxy.cut();
    await waitFor(() => !processGroupAlive(pid), 30_000, 'runner to stop its run');
    proxy.restore();
    const run = await waitFor(
      async () => {
        const r = await (await h.app.request(`/api/runs/${run_id}`)).json();
        return r.finished_at ? r : null;
      },
      30_000,
      'the end to be recorded',
    );
    expect(run.status).toBe('lost');
    expect(runner.child.exitCode).toBe(null);
  });
});
