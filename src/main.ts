import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config';
import { clearEmbeddedUrl, saveEmbeddedUrl } from './db/database-url';
import { embeddedAppUrl, startEmbeddedPostgres, type EmbeddedDb } from './db/embedded';
import { migrateAndGrant } from './db/migrate';
import { roleWarnings } from './db/roles';
import { loadSecretKey } from './auth/secret-box';
import { createLogger } from './log';
import { childEnv, SECRET_VARS, type SecretsMessage } from './process-secrets';
import { claimCgroupSubtree } from './runner/isolation/cgroups';
import { supervise } from './supervise';

// `npm start`: one machine. PostgreSQL (embedded unless DATABASE_URL is set), migrations, then one web
// process and one colocated runner, each restarted if it crashes. They share nothing but the database and files.
// The children are the files beside this one and named like it: dist/web/main.js and dist/runner/main.js
// under `npm start` and in the image, which run the build.
const self = fileURLToPath(import.meta.url);
const entry = (name: string) => path.join(path.dirname(self), name, path.basename(self));
// First, before any other process starts: a delegated cgroup v2 subtree is made ready for runs.
claimCgroupSubtree();
const cfg = loadConfig();
// Read once; the children get what each needs over IPC, and nothing started from here inherits them.
for (const name of SECRET_VARS) delete process.env[name];
const log = createLogger('taskrun', cfg.logLevel, cfg.logsDir);
const root = process.getuid?.() === 0;
fs.mkdirSync(cfg.tasksDir, { recursive: true });
// Keys, passwords and the database: nobody else's business. As root the embedded server runs as an
// account of its own (src/db/server-account.ts), which must pass through (0711) but may not list.
fs.mkdirSync(cfg.dataDir, { recursive: true });
fs.chmodSync(cfg.dataDir, root && !cfg.databaseUrl ? 0o711 : 0o700);

let embedded: EmbeddedDb | undefined;
let url = cfg.databaseUrl;
let ownerUrl = cfg.databaseOwnerUrl ?? cfg.databaseUrl;
if (!url) {
  embedded = await startEmbeddedPostgres(cfg.dataDir);
  ownerUrl = embedded.url;
  url = embeddedAppUrl(cfg.dataDir, embedded.url);
  log.info({ data_dir: cfg.dataDir }, 'embedded PostgreSQL started');
}
// The owner migrates and grants; web and runner use the app role, which cannot rewrite the audit log.
await migrateAndGrant(ownerUrl!, url, embedded !== undefined);
if (embedded) saveEmbeddedUrl(cfg.dataDir, url);
for (const warning of await roleWarnings(url)) log.warn(warning);
// Made here, before web and runner start, so that both use the one key (unless SECRET_KEY is set).
const secretKey = loadSecretKey(cfg.secretKey, cfg.dataDir).toString('hex');

// Each child gets the secrets it needs, and no more: the runner never sees ADMIN_PASSWORD.
const shared = { DATABASE_URL: url, SECRET_KEY: secretKey };
const webSecrets: SecretsMessage = {
  secrets: {
    ...shared,
    ...(cfg.adminPassword ? { ADMIN_PASSWORD: cfg.adminPassword } : {}),
    ...(cfg.metricsToken ? { METRICS_TOKEN: cfg.metricsToken } : {}),
  },
};
const runnerSecrets: SecretsMessage = { secrets: shared };
const env = childEnv(process.env);

// As root, the web process (which parses everything the network sends) runs as WEB_USER.
function webUser(): { uid: number; gid: number } | undefined {
  if (!cfg.webUser || !root) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, cfg.webUser!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

// How long a child may take to stop after SIGTERM before it is killed: the runner lets running runs finish
// for SHUTDOWN_GRACE_S, then cancels them and waits KILL_GRACE_S for their processes; both then need a
// moment to record the ends and close their connections.
const STOP_SLACK_MS = 15_000;

const children = [
  supervise('web', entry('web'), env, log, {
    stopWithinMs: STOP_SLACK_MS,
    user: webUser(),
    init: webSecrets,
    onMessage: (m) => {
      if (typeof m === 'object' && m && 'ready' in m) log.info(`taskrun is ready at http://${cfg.host}:${cfg.port}`);
    },
  }),
  supervise('runner', entry('runner'), env, log, {
    init: runnerSecrets,
    stopWithinMs: cfg.shutdownGraceMs + cfg.killGraceMs + STOP_SLACK_MS,
  }),
];

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    log.warn('second signal: stopping at once');
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'stopping: web, then runner (running runs get SHUTDOWN_GRACE_S to finish), then the database');
  await Promise.all(children.map((c) => c.stop()));
  if (embedded) {
    await embedded.stop();
    clearEmbeddedUrl(cfg.dataDir);
  }
  log.info('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
