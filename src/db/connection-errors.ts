import type { Logger } from '../log';

// What a lost or refused connection looks like from postgres.js: its own codes, the socket's, and the
// server's "shutting down / starting up" answers (SQLSTATE classes 08 and 57P).
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Whether `err` (or what it wraps, as drizzle's query errors do) says the database connection was lost. */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  }
  return false;
}

/**
 * postgres.js can leave a promise of its own rejected with no one to catch it when a connection dies
 * mid-reconnect (seen here with PostgreSQL restarting while a run was being claimed; also
 * porsager/postgres#310). Node would end the process for it: for a runner, every run in flight with it.
 * A connection error is one the process recovers from by itself (its queries retry), so it is logged;
 * anything else is a bug, and the process ends as Node would have ended it.
 */
export function survivingLostConnections(log: Logger): void {
  process.on('unhandledRejection', (err) => {
    if (isConnectionError(err)) {
      log.warn({ err }, 'database connection lost (a stray rejection of the database driver); going on');
      return;
    }
    log.fatal({ err }, 'unhandled promise rejection');
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
  });
}
