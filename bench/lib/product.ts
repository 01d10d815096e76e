import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { alive, killGroup, killStrays, onCleanup, waitExit } from './cleanup';
import { monoMs, sleep } from './clock';
import { getText, setToken } from './http';
import type { Workspace } from './workspace';
import { freePort } from '../../src/db/embedded';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running `npm start`: web, runner and embedded PostgreSQL, in folders of its own. */
export type Product = {
  name: string;
  base: string;
  dir: string;
  dataDir: string;
  tasksDir: string;
  logsDir: string;
  /** The app role's address, as web and runners use it. */
  dbUrl: string;
  /** The embedded server's superuser: for what the bench itself needs (pg_stat_statements). */
  ownerUrl: string;
  mainPid: number;
  /** From spawn to /healthz answering 200 with a runner registered. */
  readyMs: number;
  env: NodeJS.ProcessEnv;
  /** The pid of the supervised `web` or `runner` child. */
  childPid: (kind: 'web' | 'runner') => number | undefined;
  stop: () => Promise<void>;
};

export type ProductOptions = {
  name: string;
  env?: Record<string, string>;
  /** Start from a copy of this data folder (an existing cluster) instead of an empty one. */
  dataFrom?: string;
  /** Lines appended to the copied cluster's postgresql.conf. */
  pgConf?: string[];
  /** Task scripts to write before start: file name → content (made executable). */
  tasks?: Record<string, string>;
  /** An existing folder to use (a restart on the same data), instead of a new one. */
  dir?: string;
};

/** A free TCP port on 127.0.0.1. */
export { freePort };

/**
 * What `npm start` (`main`), `npm run runner` (`runner/main`) and `npm run taskrun` (`cli/main`) run:
 * the dist/ bundle with plain node. Started directly rather than through scripts/run.mjs (which
 * rebuilds dist/ when a source changed), so that every scenario runs the build made at the start.
 */
function distEntry(entry: string): string[] {
  return [path.join(REPO, 'dist', `${entry}.js`)];
}

/** Builds dist/ once, at the start: no scenario's start-up time includes a build. */
export function buildProduct(): void {
  execFileSync(process.execPath, [path.join(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'ignore' });
}

/** Writes task scripts into a folder, executable, as a user would drop them into TASKS_DIR. */
export function writeTasks(tasksDir: string, tasks: Record<string, string>): void {
  fs.mkdirSync(tasksDir, { recursive: true });
  for (const [file, content] of Object.entries(tasks)) fs.writeFileSync(path.join(tasksDir, file), content, { mode: 0o755 });
}

/** The environment of a taskrun process: ours, without a database address (so the embedded server is used). */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SHUTDOWN_GRACE_S: '5', KILL_GRACE_S: '1', ...extra };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.NODE_OPTIONS;
  return env;
}

/** Starts the product exactly as `npm start` does, and waits until it can run a task. */
export async function startProduct(ws: Workspace, o: ProductOptions): Promise<Product> {
  const dir = o.dir ?? ws.dir(o.name);
  const dataDir = path.join(dir, 'data');
  const tasksDir = path.join(dir, 'tasks');
  const logsDir = path.join(dir, 'logs');
  if (o.dataFrom && !fs.existsSync(dataDir)) execFileSync('cp', ['-a', o.dataFrom, dataDir]);
  if (o.pgConf) fs.appendFileSync(path.join(dataDir, 'pg', 'postgresql.conf'), `\n${o.pgConf.join('\n')}\n`);
  if (o.tasks) writeTasks(tasksDir, o.tasks);
  const port = await freePort();
  const env = baseEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, TASKS_DIR: tasksDir, LOGS_DIR: logsDir, ...o.env });
  const out = fs.openSync(path.join(dir, 'taskrun.out'), 'a');
  const t0 = monoMs();
  // Its own process group, so a failed bench can end the supervisor, web and runner at once.
  // Node flags reach the web and runner too: the supervisor forks them with its own execArgv.
  const profile = ws.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ws.profileDir, path.basename(dir))}`] : [];
  // BENCH_NODE_FLAGS (say `--trace-gc`) reaches every taskrun process the same way.
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...profile, ...flags, ...distEntry('main')], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const mainPid = child.pid!;
  const pgPidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  const stopNow = async () => {
    if (alive(mainPid)) {
      process.kill(mainPid, 'SIGTERM');
      if (!(await waitExit(mainPid, 45_000))) console.error(`${o.name}: taskrun did not stop in 45 s; killing it`);
    }
    killGroup(mainPid, 'SIGKILL');
    // The database is in a group of its own (by design, it outlives a killed taskrun): stop it too.
    const pgPid = readPid(pgPidFile);
    if (pgPid && alive(pgPid)) {
      process.kill(pgPid, 'SIGINT');
      if (!(await waitExit(pgPid, 15_000))) process.kill(pgPid, 'SIGKILL');
    }
    killStrays(dir);
  };
  const unregister = onCleanup(stopNow);
  const base = `http://127.0.0.1:${port}`;
  let dbUrl: string;
  try {
    dbUrl = await waitReady(base, dataDir, () => child.exitCode !== null || child.signalCode !== null, dir);
  } catch (err) {
    await stopNow();
    unregister();
    throw err;
  }
  const readyMs = monoMs() - t0;
  const token = createToken(env);
  if (token) setToken(base, token);
  return {
    name: o.name,
    base,
    dir,
    dataDir,
    tasksDir,
    logsDir,
    dbUrl,
    ownerUrl: ownerUrlOf(dataDir, dbUrl),
    mainPid,
    readyMs,
    env,
    childPid: (kind) => childOf(mainPid, `${kind}/main.js`),
    stop: async () => {
      await stopNow();
      unregister();
    },
  };
}

// The superuser of an embedded server: its password from DATA_DIR, on the app role's host and port.
function ownerUrlOf(dataDir: string, appUrl: string): string {
  const u = new URL(appUrl);
  u.username = 'postgres';
  u.password = encodeURIComponent(fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim());
  return u.toString();
}

async function waitReady(base: string, dataDir: string, exited: () => boolean, dir: string): Promise<string> {
  const deadline = monoMs() + 120_000;
  const urlFile = path.join(dataDir, 'embedded-url');
  let sql: postgres.Sql | undefined;
  try {
    for (;;) {
      if (exited()) throw new Error(`taskrun exited before it was ready:\n${tail(path.join(dir, 'taskrun.out'))}`);
      if (monoMs() > deadline) throw new Error(`taskrun not ready after 120 s:\n${tail(path.join(dir, 'taskrun.out'))}`);
      const healthy = await getText(base, '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (healthy && fs.existsSync(urlFile)) {
        const url = fs.readFileSync(urlFile, 'utf8').trim();
        sql ??= postgres(url, { max: 1, onnotice: () => undefined });
        const [row] = await sql`select count(*)::int as n from runners where stopped_at is null`;
        if (row.n > 0) return url;
      }
      await sleep(10);
    }
  } finally {
    await sql?.end({ timeout: 1 });
  }
}

/** Starts one more runner (`npm run runner`) against a product's database and folders. */
export async function startExtraRunner(p: Product, env: Record<string, string>): Promise<{ pid: number; stop: () => Promise<void> }> {
  const out = fs.openSync(path.join(p.dir, 'runner2.out'), 'a');
  const child = spawn(process.execPath, distEntry('runner/main'), {
    cwd: REPO,
    env: { ...p.env, DATABASE_URL: p.dbUrl, ...env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const pid = child.pid!;
  const stop = async () => {
    if (alive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitExit(pid, 30_000))) killGroup(pid, 'SIGKILL');
    }
    killGroup(pid, 'SIGKILL');
  };
  const unregister = onCleanup(stop);
  const sql = postgres(p.dbUrl, { max: 1, onnotice: () => undefined });
  try {
    const deadline = monoMs() + 60_000;
    for (;;) {
      const [row] = await sql`select count(*)::int as n from runners where stopped_at is null and pid = ${pid}`;
      if (row.n > 0) break;
      if (!alive(pid) || monoMs() > deadline) throw new Error(`the second runner did not start:\n${tail(path.join(p.dir, 'runner2.out'))}`);
      await sleep(20);
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
  return {
    pid,
    stop: async () => {
      await stop();
      unregister();
    },
  };
}

// An admin API token from the operator CLI, as a script or CI would hold one.
function createToken(env: NodeJS.ProcessEnv): string | undefined {
  const out = execFileSync(
    process.execPath,
    [...distEntry('cli/main'), 'token', 'create', '--name', `bench-${Date.now()}`, '--role', 'admin'],
    {
      cwd: REPO,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return out.trim().split('\n').pop();
}

function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a direct child of `parent` whose command line contains `needle`. */
export function childOf(parent: number, needle: string): number | undefined {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) return Number(name);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no output)';
  }
}
