import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcStat } from '../proc-stat';
import { closedToOthers, packagedBinaries, reachableBinaries, type Binaries } from './embedded-binaries';
import { giveClusterTo, serverAccount, type Account } from './server-account';

export type EmbeddedDb = { url: string; stop: () => Promise<void> };

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// The same port as last time when it is free, so DATABASE_URL stays valid across restarts of the server.
async function reusePort(file: string): Promise<number> {
  const last = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : NaN);
  const port = Number.isInteger(last) && last > 0 && (await portFree(last)) ? last : await freePort();
  fs.writeFileSync(file, `${port}\n`);
  return port;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function readOrCreatePassword(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const password = crypto.randomBytes(24).toString('base64url');
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return password;
  }
}

/** The role web and runners use on the embedded server: not its superuser (see src/db/roles.ts). */
export const EMBEDDED_APP_ROLE = 'taskrun';

/**
 * The URL of the embedded server's app role (its password generated once into DATA_DIR/pg-app-password,
 * 0600), beside the superuser's `ownerUrl`.
 */
export function embeddedAppUrl(dataDir: string, ownerUrl: string): string {
  const u = new URL(ownerUrl);
  u.username = EMBEDDED_APP_ROLE;
  u.password = encodeURIComponent(readOrCreatePassword(path.join(dataDir, 'pg-app-password')));
  return u.toString();
}

/**
 * Starts a real PostgreSQL server with its data in `dataDir/pg`, on 127.0.0.1 and a free port.
 * The package creates the cluster; we start the server ourselves in a process group of its own, so a
 * Ctrl+C in the terminal reaches taskrun first and the database stops last, after the runs are recorded.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDb> {
  fs.mkdirSync(dataDir, { recursive: true });
  const dbDir = path.join(dataDir, 'pg');
  const password = readOrCreatePassword(path.join(dataDir, 'pg-password'));
  // As root the server runs as an account of its own (PostgreSQL refuses root); else as this user.
  const account = os.userInfo().uid === 0 ? serverAccount() : undefined;
  if (account) assertReachableBy(account, dataDir);
  if (!fs.existsSync(path.join(dbDir, 'PG_VERSION'))) await initCluster(dbDir, password, account);
  await reclaimDataDir(dbDir);
  if (account) giveClusterTo(dbDir, account);
  const port = await reusePort(path.join(dataDir, 'pg-port'));
  const server = await spawnServer(dbDir, port, account);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => stopServer(server) };
}

// The server's binaries, where its account can reach them.
async function binaries(dataDir: string): Promise<Binaries> {
  return reachableBinaries(await packagedBinaries(), dataDir);
}

async function initCluster(dbDir: string, password: string, owner: Account | undefined): Promise<void> {
  const { initdb } = await binaries(path.dirname(dbDir));
  fs.mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  const pwFile = path.join(os.tmpdir(), `taskrun-pw-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    fs.chownSync(dbDir, owner.uid, owner.gid);
    fs.chownSync(pwFile, owner.uid, owner.gid);
  }
  try {
    execFileSync(
      initdb,
      [`--pgdata=${dbDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
      {
        uid: owner?.uid,
        gid: owner?.gid,
        cwd: dbDir,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr.trim() || (err as Error).message}`);
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

// The server writes to a file, not a pipe: it must outlive a killed taskrun without dying of a broken pipe.
async function spawnServer(dbDir: string, port: number, account: Account | undefined): Promise<ChildProcess> {
  const { postgres } = await binaries(path.dirname(dbDir));
  const logFile = path.join(path.dirname(dbDir), 'postgres.log');
  const from = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const fd = fs.openSync(logFile, 'a', 0o600);
  const args = [
    '-D',
    dbDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const child = spawn(postgres, args, {
    uid: account?.uid,
    gid: account?.gid,
    cwd: dbDir,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  fs.closeSync(fd);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  child.once('error', (err) => (exited = err.message));
  for (;;) {
    const text = readFrom(logFile, from);
    if (text.includes('ready to accept connections')) return child;
    if (exited) throw new Error(`embedded PostgreSQL exited (${exited}): ${text.trim().slice(-2000)}`);
    await sleep(25);
  }
}

function readFrom(file: string, offset: number): string {
  const buf = fs.readFileSync(file);
  return buf.subarray(offset).toString('utf8');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT'); // PostgreSQL's "fast" shutdown: roll back open transactions, write a checkpoint, exit
  await exited;
}

// A server left by a killed taskrun still holds the data folder; one whose parent is alive belongs to another taskrun.
async function reclaimDataDir(dbDir: string): Promise<void> {
  const pidFile = path.join(dbDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  const stat = readProcStat(pid);
  if (!stat?.comm.includes('postgres')) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  const parent = readProcStat(stat.ppid);
  if (stat.ppid > 1 && parent && parent.comm.includes('node')) {
    throw new Error(`another taskrun (pid ${stat.ppid}) is using the database in ${dbDir}`);
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && readProcStat(pid); i++) await sleep(50);
}

// As root the server runs as its own account, which must be able to walk down to the data folder.
function assertReachableBy(account: Account, dir: string): void {
  const closed = closedToOthers(dir);
  if (closed) {
    throw new Error(
      `DATA_DIR ${dir} is inside ${closed}, which the embedded server's account ${account.name} cannot enter; ` +
        'choose a DATA_DIR elsewhere or run `chmod o+x` on that folder',
    );
  }
}
