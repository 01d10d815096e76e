import crypto from 'node:crypto';
import os from 'node:os';
import { loadConfig, type Config } from '../../src/config';
import { createNotifier } from '../../src/db/notify';
import { createLogger } from '../../src/log';
import { createApp } from '../../src/routes/app';
import { readBootId } from '../../src/runner/boot-id';
import { baseTaskEnv, type RunnerContext } from '../../src/runner/context';
import { resolveInterpreters } from '../../src/runner/interpreters';
import { startRunner, type Runner } from '../../src/runner/runner';
import { startRunEvents } from '../../src/web/run-events';
import type { WebDeps } from '../../src/routes/deps';
import { createDirs, type TestDirs } from './dirs';
import { createTestDb, type TestDb } from './test-db';

export type Harness = {
  cfg: Config;
  dirs: TestDirs;
  tdb: TestDb;
  deps: WebDeps;
  app: ReturnType<typeof createApp>;
  env: NodeJS.ProcessEnv;
  startRunner: (overrides?: Record<string, string>) => Promise<Runner>;
  runnerContext: (overrides?: Record<string, string>) => RunnerContext;
  close: () => Promise<void>;
};

const log = createLogger('test', 'silent');
const interpreters = resolveInterpreters(process.env.PYTHON);

/** A database, folders, the web app and (on demand) in-process runners, all real; `close` ends them all. */
export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dirs = createDirs();
  const tdb = await createTestDb();
  const fullEnv = {
    DATABASE_URL: tdb.url, TASKS_DIR: dirs.tasksDir, LOGS_DIR: dirs.logsDir, DATA_DIR: dirs.dataDir,
    KILL_GRACE_S: '1', RUNNER_POLL_MS: '200', SHUTDOWN_GRACE_S: '0', LOG_LEVEL: 'silent', ...env,
  };
  const cfg = loadConfig(fullEnv);
  const notify = createNotifier(tdb.db, () => {});
  const events = await startRunEvents(tdb.db);
  const deps: WebDeps = { cfg, db: tdb.db, notify, events, log };
  const runners: Runner[] = [];
  const runnerContext = (overrides: Record<string, string> = {}): RunnerContext => ({
    cfg: loadConfig({ ...fullEnv, ...overrides }), db: tdb.db, log, notify, runnerId: crypto.randomUUID(), host: os.hostname(),
    bootId: readBootId(), interpreters, taskEnv: baseTaskEnv(process.env),
  });
  return {
    runnerContext,
    cfg, dirs, tdb, deps, env: fullEnv,
    app: createApp(deps),
    startRunner: async (overrides = {}) => {
      const r = await startRunner(runnerContext(overrides));
      runners.push(r);
      return r;
    },
    close: async () => {
      await Promise.all(runners.map((r) => r.shutdown()));
      await events.close();
      await tdb.drop();
      dirs.cleanup();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`): for states reached asynchronously. */
export async function waitFor<T>(fn: () => Promise<T> | T, ms = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
