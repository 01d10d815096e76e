import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config';
import { clearEmbeddedUrl, saveEmbeddedUrl } from './db/database-url';
import { startEmbeddedPostgres, type EmbeddedDb } from './db/embedded';
import { migrateDb } from './db/migrate';
import { loadSecretKey } from './auth/secret-box';
import { createLogger } from './log';
import { BUNDLED } from './package-root';
import { supervise } from './supervise';

// `npm start`: one machine. PostgreSQL (embedded unless DATABASE_URL is set), migrations, then one web
// process and one colocated runner, each restarted if it crashes. They share nothing but the database and files.
const here = path.dirname(fileURLToPath(import.meta.url));
// From dist/ (npm start) the children are the bundle's dist/web/main.js and dist/runner/main.js; from the
// sources (tsx, tests) they are the .ts files, forked with this process's own `--import tsx`.
const entry = (name: string) => path.join(here, name, BUNDLED ? 'main.js' : 'main.ts');
const cfg = loadConfig();
const log = createLogger('taskrun', cfg.logLevel, cfg.logsDir);
fs.mkdirSync(cfg.tasksDir, { recursive: true });

let embedded: EmbeddedDb | undefined;
let url = cfg.databaseUrl;
if (!url) {
  embedded = await startEmbeddedPostgres(cfg.dataDir);
  url = embedded.url;
  saveEmbeddedUrl(cfg.dataDir, url);
  log.info({ data_dir: cfg.dataDir }, 'embedded PostgreSQL started');
}
await migrateDb(url);
// Made here, before web and runner start, so that both read the one key (unless SECRET_KEY is set).
loadSecretKey(cfg.secretKey, cfg.dataDir);

const env = { ...process.env, DATABASE_URL: url };
const children = [
  supervise('web', entry('web'), env, log, (m) => {
    if (typeof m === 'object' && m && 'ready' in m) log.info(`taskrun is ready at http://${cfg.host}:${cfg.port}`);
  }),
  supervise('runner', entry('runner'), env, log),
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
