import crypto from 'node:crypto';
import os from 'node:os';
import { loadProcessConfig } from '../process-secrets';
import { closeDb, connectDb } from '../db/client';
import { resolveDatabaseUrl } from '../db/database-url';
import { ensureMigrated } from '../db/migrate';
import { createNotifier } from '../db/notify';
import { survivingLostConnections } from '../db/connection-errors';
import { createLogger } from '../log';
import { LogFiles, OutputSockets } from '../logs';
import { readBootId } from './boot-id';
import { loadSecretKey } from '../auth/secret-box';
import { baseTaskEnv, type RunnerContext } from './context';
import { setupIsolation } from './isolation/isolation';
import { claimCgroupSubtree } from './isolation/cgroups';
import { startRunner } from './runner';
import { startScheduler } from '../scheduler/scheduler';
import { startNotifier } from '../notifier/notifier';

// `npm run runner`: one runner process. `npm start` starts one too, as a child of its supervisor.
// First, before this process starts any other: a delegated cgroup v2 subtree is made ready for runs.
claimCgroupSubtree();
const cfg = await loadProcessConfig();
const log = createLogger('runner', cfg.logLevel, cfg.logsDir);
survivingLostConnections(log);
const url = resolveDatabaseUrl(cfg);
// Set up while the database connects: the run uids, bubblewrap, cgroups and the interpreters run users
// can start (Python once, ~100 ms or more behind a pyenv shim).
const isolating = setupIsolation(cfg, log);
const db = connectDb(url, 'taskrun-runner', 4);
await ensureMigrated(db, url, cfg.databaseOwnerUrl);
const ctx: RunnerContext = {
  cfg,
  db,
  log,
  notify: createNotifier(db, (err) => log.warn({ err }, 'notify failed')),
  runnerId: crypto.randomUUID(),
  host: os.hostname(),
  bootId: readBootId(),
  interpreters: (await isolating).interpreters,
  isolation: await isolating,
  taskEnv: baseTaskEnv(process.env),
  secretKey: loadSecretKey(cfg.secretKey, cfg.dataDir),
  outputSockets: new OutputSockets(),
  logFiles: new LogFiles(),
};
const runner = await startRunner(ctx);
// Sends the notifications of ended runs (any number of runners may, each claims its own).
const notifier = await startNotifier(ctx);
// Decides the fire times of cron schedules (any number of runners may: each fire time runs once).
const scheduler = cfg.scheduler ? await startScheduler(ctx) : undefined;
log.info(
  {
    runner_id: ctx.runnerId,
    slots: cfg.maxTaskWorkers,
    python: ctx.interpreters.python,
    scheduler: cfg.scheduler,
    isolation: ctx.isolation.report(),
  },
  'runner started',
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'runner stopping: no new runs; waiting for running ones');
  await scheduler?.stop();
  await runner.shutdown();
  await notifier.stop();
  await closeDb(db);
  log.info('runner stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Started by `npm start`: go when the supervisor goes.
process.on('disconnect', () => void stop('supervisor exited'));
