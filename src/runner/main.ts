import crypto from 'node:crypto';
import os from 'node:os';
import { loadConfig } from '../config';
import { closeDb, connectDb } from '../db/client';
import { resolveDatabaseUrl } from '../db/database-url';
import { migrateDb } from '../db/migrate';
import { createNotifier } from '../db/notify';
import { createLogger } from '../log';
import { readBootId } from './boot-id';
import { loadSecretKey } from '../auth/secret-box';
import { baseTaskEnv, type RunnerContext } from './context';
import { resolveInterpreters } from './interpreters';
import { startRunner } from './runner';

// `npm run runner`: one runner process. `npm start` starts one too, as a child of its supervisor.
const cfg = loadConfig();
const log = createLogger('runner', cfg.logLevel, cfg.logsDir);
const url = resolveDatabaseUrl(cfg);
await migrateDb(url);
const db = connectDb(url, 'taskrun-runner', 4);
const ctx: RunnerContext = {
  cfg,
  db,
  log,
  notify: createNotifier(db, (err) => log.warn({ err }, 'notify failed')),
  runnerId: crypto.randomUUID(),
  host: os.hostname(),
  bootId: readBootId(),
  interpreters: resolveInterpreters(cfg.python),
  taskEnv: baseTaskEnv(process.env),
  secretKey: loadSecretKey(cfg.secretKey, cfg.dataDir),
};
const runner = await startRunner(ctx);
log.info({ runner_id: ctx.runnerId, slots: cfg.maxTaskWorkers, python: ctx.interpreters.python }, 'runner started');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'runner stopping: no new runs; waiting for running ones');
  await runner.shutdown();
  await closeDb(db);
  log.info('runner stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Started by `npm start`: go when the supervisor goes.
process.on('disconnect', () => void stop('supervisor exited'));
