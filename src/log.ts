import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';

export type Logger = pino.Logger;

/** The application's own structured JSON log, on stdout and appended to `{logsDir}/app.log`. */
export function createLogger(name: string, level: pino.LevelWithSilent, logsDir?: string): Logger {
  // Each stream takes every level; the logger's own level filters (a stream defaults to info, which
  // would drop debug lines even with LOG_LEVEL=debug).
  const streams: pino.StreamEntry[] = [{ stream: process.stdout, level: 'trace' }];
  if (logsDir) {
    fs.mkdirSync(logsDir, { recursive: true });
    streams.push({ stream: pino.destination({ dest: path.join(logsDir, 'app.log'), append: true, sync: false }), level: 'trace' });
  }
  return pino({ name, level, base: { pid: process.pid } }, pino.multistream(streams));
}
