import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

// While `npm start` runs an embedded server, its address is kept here (0600) for `npm run runner` and the CLI.
const FILE = 'embedded-url';

/** Remembers the embedded server's address for other processes on this machine. */
export function saveEmbeddedUrl(dataDir: string, url: string): void {
  const file = path.join(dataDir, FILE);
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${url}\n`, { mode: 0o600 });
}

/** Forgets it when the embedded server stops. */
export function clearEmbeddedUrl(dataDir: string): void {
  fs.rmSync(path.join(dataDir, FILE), { force: true });
}

/** DATABASE_URL, or else the address of the embedded server that `npm start` is running in DATA_DIR. */
export function resolveDatabaseUrl(cfg: Config): string {
  if (cfg.databaseUrl) return cfg.databaseUrl;
  try {
    return fs.readFileSync(path.join(cfg.dataDir, FILE), 'utf8').trim();
  } catch {
    throw new Error(`DATABASE_URL is not set and no embedded database is running in ${cfg.dataDir} (start one with \`npm start\`)`);
  }
}
