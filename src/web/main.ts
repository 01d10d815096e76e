import { getRequestListener } from '@hono/node-server';
import { loadSecretKey } from '../auth/secret-box';
import { loadProcessConfig } from '../process-secrets';
import { closeDb, connectDb } from '../db/client';
import { resolveDatabaseUrl } from '../db/database-url';
import { ensureMigrated } from '../db/migrate';
import { createNotifier } from '../db/notify';
import { survivingLostConnections } from '../db/connection-errors';
import { createLogger } from '../log';
import { LogTails } from '../logs';
import { createApp } from '../routes/app';
import { createHttpServer } from './http-server';
import { withProbe } from './probe';
import { startRunEvents } from './run-events';
import { ensureFirstAdmin } from '../services/setup-service';

// The web process: HTTP and SSE only; runs go on in the runners whether it is up or not.
const cfg = await loadProcessConfig();
const log = createLogger('web', cfg.logLevel, cfg.logsDir);
survivingLostConnections(log);
const url = resolveDatabaseUrl(cfg);
const db = connectDb(url, 'taskrun-web', 10);
await ensureMigrated(db, url, cfg.databaseOwnerUrl);
const events = await startRunEvents(db);
const notify = createNotifier(db, (err) => log.warn({ err }, 'notify failed'));
const secretKey = loadSecretKey(cfg.secretKey, cfg.dataDir);
const app = createApp({ cfg, db, notify, events, logTails: new LogTails(), log, secretKey });
const setupCode = await ensureFirstAdmin({ cfg, db, notify, secretKey });
if (setupCode) {
  // No user yet and no ADMIN_PASSWORD: the first admin is created at /setup with this one-time code.
  log.warn(
    { setup_url: `http://${cfg.host}:${cfg.port}/setup` },
    `first start: open /setup and enter the one-time setup code ${setupCode}`,
  );
}

const server = createHttpServer(cfg.http, withProbe(db, getRequestListener(app.fetch, { hostname: cfg.host })));
server.listen(cfg.port, cfg.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  log.info({ url: `http://${cfg.host}:${port}` }, 'taskrun web listening');
  process.send?.({ ready: true, port });
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'web stopping');
  // Open SSE streams would keep close() waiting; they reconnect to another node or after a restart.
  server.close();
  server.closeAllConnections();
  void events.close().finally(() => closeDb(db).finally(() => process.exit(0)));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
// Started by `npm start`: go when the supervisor goes.
process.on('disconnect', () => stop('supervisor exited'));
