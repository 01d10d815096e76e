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
    streams.push({ stream: pino.destination({ fd: openAppLog(path.join(logsDir, 'app.log')), sync: false }), level: 'trace' });
  }
  return pino({ name, level, base: { pid: process.pid } }, pino.multistream(streams));
}

// Every process appends to app.log, not all as one user: as root the supervisor and the runners, and the
// web as WEB_USER. Whoever creates it, the others must append, so it is group-writable (0660) in
// LOGS_DIR's group (setgid in the image: the web user's group); the umask would take the group's write
// away at creation, hence the chmod. Opened here, synchronously, so a process that cannot append says so
// at once.
function openAppLog(file: string): number {
  const fd = fs.openSync(file, 'a', 0o660);
  if (fs.fstatSync(fd).uid === process.getuid?.()) fs.fchmodSync(fd, 0o660);
  return fd;
}
