import { loadSecretKey } from '../../src/auth/secret-box';
import crypto from 'node:crypto';
import os from 'node:os';
import { loadConfig, type Config } from '../../src/config';
import { createNotifier } from '../../src/db/notify';
import { createLogger } from '../../src/log';
import { LogFiles, LogTails, OutputSockets } from '../../src/logs';
import { createApp } from '../../src/routes/app';
import { readBootId } from '../../src/runner/boot-id';
import type { RunJson } from '../../src/runs/json';
import { baseTaskEnv, type RunnerContext } from '../../src/runner/context';
import { resolveInterpreters } from '../../src/runner/interpreters';
import { setupIsolation, type Isolation } from '../../src/runner/isolation/isolation';
import { startRunner, type Runner } from '../../src/runner/runner';
import { startRunEvents } from '../../src/web/run-events';
import type { WebDeps } from '../../src/routes/deps';
import { createDirs, type TestDirs } from './dirs';
import { createToken } from '../../src/services/tokens-service';
import { SYSTEM } from '../../src/services/deps';
import type { Hono } from 'hono';
import { createTestDb, type TestDb } from './test-db';

export type Harness = {
  cfg: Config;
  dirs: TestDirs;
  tdb: TestDb;
  deps: WebDeps;
  /** The app, called as an admin (bearer token) unless the request names its own Authorization. */
  app: ReturnType<typeof createApp>;
  /** The app as it is: anonymous unless the request authenticates itself. */
  rawApp: ReturnType<typeof createApp>;
  /** An admin API token, for requests to real web processes. */
  token: string;
  env: NodeJS.ProcessEnv;
  startRunner: (overrides?: Record<string, string>) => Promise<Runner>;
  /** The run as the API shows it, once it has ended (waits up to `ms`). */
  runEnded: (runId: number, ms?: number) => Promise<RunJson>;
  runnerContext: (overrides?: Record<string, string>, iso?: Isolation) => RunnerContext;
  /** How the harness's runners isolate runs. */
  isolation: Isolation;
  close: () => Promise<void>;
};

const log = createLogger('test', 'silent');
const root = process.getuid?.() === 0;
// As root (CI), runs execute as the pool's uids: the interpreters are the ones those can start.
export const interpreters = await resolveInterpreters(process.env.PYTHON, root ? loadConfig({}).runUidBase : undefined);
// Settings that change how a runner isolates its runs: a runner started with one of them sets up its own.
const ISOLATION_VARS = /^(RUN_|KEEP_FAILED_WORKDIR_S$|TASKS_DIR$|DATA_DIR$|LOGS_DIR$)/;

/** A database, folders, the web app and (on demand) in-process runners, all real; `close` ends them all. */
export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dirs = createDirs();
  const tdb = await createTestDb();
  const fullEnv = {
    DATABASE_URL: tdb.url,
    TASKS_DIR: dirs.tasksDir,
    LOGS_DIR: dirs.logsDir,
    DATA_DIR: dirs.dataDir,
    RUN_WORK_DIR: dirs.workDir,
    KILL_GRACE_S: '1',
    RUNNER_POLL_MS: '200',
    SHUTDOWN_GRACE_S: '0',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const cfg = loadConfig(fullEnv);
  const notify = createNotifier(tdb.db, () => {
    // production only logs a failed NOTIFY (runners poll anyway); the harness's log is silent
  });
  const events = await startRunEvents(tdb.db);
  const secretKey = loadSecretKey(cfg.secretKey, cfg.dataDir);
  const deps: WebDeps = { cfg, db: tdb.db, notify, events, logTails: new LogTails(), log, secretKey };
  const runners: Runner[] = [];
  const isolation = await setupIsolation(cfg, log);
  // Each holds an idle run uid of the host's pool (as a runner does): given back at close.
  const isolations = [isolation];
  // One of each per harness, as one per runner process: the runners of a test share them.
  const outputSockets = new OutputSockets();
  const logFiles = new LogFiles();
  const rawApp = createApp(deps);
  const token = await createToken(deps, SYSTEM, 'test-admin', 'admin');
  const runnerContext = (overrides: Record<string, string> = {}, iso: Isolation = isolation): RunnerContext => ({
    cfg: loadConfig({ ...fullEnv, ...overrides }),
    db: tdb.db,
    log,
    notify,
    runnerId: crypto.randomUUID(),
    host: os.hostname(),
    bootId: readBootId(),
    interpreters: iso.interpreters,
    taskEnv: baseTaskEnv(process.env),
    secretKey,
    isolation: iso,
    outputSockets,
    logFiles,
  });
  return {
    runnerContext,
    isolation,
    cfg,
    dirs,
    tdb,
    deps,
    env: fullEnv,
    app: asCaller(rawApp, token),
    rawApp,
    token,
    runEnded: (runId, ms = 30_000) =>
      waitFor(
        async () => {
          const r = await (await asCaller(rawApp, token).request(`/api/runs/${runId}`)).json();
          return r.finished_at ? r : null;
        },
        ms,
        `run ${runId} to end`,
      ),
    startRunner: async (overrides = {}) => {
      const own = Object.keys(overrides).some((k) => ISOLATION_VARS.test(k));
      const iso = own ? await setupIsolation(loadConfig({ ...fullEnv, ...overrides }), log) : isolation;
      if (own) isolations.push(iso);
      const r = await startRunner(runnerContext(overrides, iso));
      runners.push(r);
      return r;
    },
    close: async () => {
      await Promise.all(runners.map((r) => r.shutdown()));
      await Promise.all(isolations.map((i) => i.leases?.releaseIdle()));
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

/** The same app, every request sent with `Authorization: Bearer token` unless it sets its own. */
export function asCaller<A extends Hono>(app: A, token: string): A {
  const withAuth = (req: Request) => {
    if (req.headers.has('authorization')) return req;
    const headers = new Headers(req.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(req, { headers });
  };
  return new Proxy(app, {
    get(target, prop, receiver) {
      if (prop === 'fetch')
        return (req: Request, ...rest: unknown[]) => (target.fetch as (...a: unknown[]) => unknown)(withAuth(req), ...rest);
      if (prop === 'request') {
        return (input: string | Request | URL, init?: RequestInit, ...rest: unknown[]) => {
          const req = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
          return (target.request as (...a: unknown[]) => unknown)(withAuth(req), undefined, ...rest);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}
