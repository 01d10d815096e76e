import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { packagedBinaries, reachableBinaries } from '../src/db/embedded-binaries';
import { SERVER_ACCOUNT, serverAccount } from '../src/db/server-account';
import { readProcUids } from '../src/proc-stat';
import { startApp, writeTask, type AppProcess } from './e2e/support/app-process';
import { reachableTempDir } from './support/dirs';
import { waitFor } from './support/harness';

// As root, the embedded PostgreSQL runs as an account of taskrun's own, never as the system's shared
// `postgres`: a host's PostgreSQL runs as that one too, and code it runs (`COPY ... FROM PROGRAM`) could
// otherwise rewrite taskrun's pg_hba.conf and take its database.

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const passwd = (name: string) => {
  try {
    const [, , uid, gid, comment, home, shell] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid), comment, home, shell };
  } catch {
    return undefined;
  }
};
const serverUid = (dataDir: string) =>
  readProcUids(Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]))?.real;
// Every path under `dir` (itself included, links not followed) whose owner is not `uid`.
const ownedByOthers = (dir: string, uid: number) => execFileSync('find', [dir, '!', '-uid', String(uid)], { encoding: 'utf8' }).trim();

describe.skipIf(process.getuid?.() !== 0)("the embedded server's account", () => {
  it("is a system account of taskrun's own, with no home and no shell, that the server runs as", async () => {
    const dir = reachableTempDir('taskrun-pg-account-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const db = await startEmbeddedPostgres(path.join(dir, 'data'));
    cleanups.push(() => db.stop());
    const account = passwd(SERVER_ACCOUNT)!;
    expect(account).toMatchObject({ home: '/nonexistent', shell: '/usr/sbin/nologin' });
    expect(serverUid(path.join(dir, 'data'))).toBe(account.uid);
    expect(account.uid).not.toBe(passwd('postgres')?.uid);
    expect(ownedByOthers(path.join(dir, 'data', 'pg'), account.uid)).toBe('');
  });

  it('upgrades, under npm start, a DATA_DIR whose database the shared postgres account owns, following no link', async () => {
    // An older taskrun's DATA_DIR: its cluster belongs to `postgres` (or, on a machine without one, nobody).
    const dir = reachableTempDir('taskrun-pg-upgrade-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dataDir = path.join(dir, 'data');
    const old = await startEmbeddedPostgres(dataDir);
    await old.stop();
    const former = passwd('postgres') ?? passwd('nobody')!;
    const pg = path.join(dataDir, 'pg');
    execFileSync('chown', ['-R', `${former.uid}:${former.gid}`, pg]);
    // Links its former owner could have left there, to files of root's.
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret'), "root's\n", { mode: 0o600 });
    fs.symlinkSync(path.join(outside, 'secret'), path.join(pg, 'planted-file'));
    fs.symlinkSync(outside, path.join(pg, 'base', 'planted-dir'));

    let app: AppProcess | undefined = await startApp({ DATA_DIR: dataDir });
    cleanups.push(() => app?.stop());
    const account = passwd(SERVER_ACCOUNT)!;
    expect(serverUid(dataDir)).toBe(account.uid);
    expect(ownedByOthers(pg, account.uid)).toBe('');
    for (const p of [outside, path.join(outside, 'secret')]) expect(fs.statSync(p).uid).toBe(0);

    writeTask(app, 'after.sh', 'echo upgraded\n');
    const { run_id } = await (await app.api('/api/tasks/after/execute', { method: 'POST' })).json();
    const run = await waitFor(
      async () => {
        const r = await (await app!.api(`/api/runs/${run_id}`)).json();
        return r.finished_at ? r : undefined;
      },
      60_000,
      'the run to end',
    );
    expect(run.status).toBe('success');
    await app.stop();
    app = undefined;
  });

  it('runs a package the account cannot reach from a copy in DATA_DIR, which no one else can write', async () => {
    // The platform package in a private folder (a clone in /root, in a private temp dir).
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-pg-closed-'));
    const dir = reachableTempDir('taskrun-pg-copy-');
    cleanups.push(
      () => fs.rmSync(closed, { recursive: true, force: true }),
      () => fs.rmSync(dir, { recursive: true, force: true }),
    );
    const packaged = await packagedBinaries();
    execFileSync('cp', ['-a', path.resolve(path.dirname(packaged.postgres), '..'), path.join(closed, 'native')]);
    fs.writeFileSync(path.join(closed, 'package.json'), '{"version": "1.0.0"}');
    const pkg = { postgres: path.join(closed, 'native/bin/postgres'), initdb: path.join(closed, 'native/bin/initdb') };
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { mode: 0o711 });

    const bins = reachableBinaries(pkg, dataDir);
    expect(bins).toEqual({ postgres: path.join(dataDir, 'pg-bin/bin/postgres'), initdb: path.join(dataDir, 'pg-bin/bin/initdb') });
    const copy = path.join(dataDir, 'pg-bin');
    expect(execFileSync('find', [copy, '(', '!', '-uid', '0', '-o', '-perm', '/022', '!', '-type', 'l', ')'], { encoding: 'utf8' })).toBe(
      '',
    );
    // The account makes a cluster with the copy: initdb, and the postgres it runs, find their libraries and data.
    const account = serverAccount();
    const cluster = path.join(dir, 'cluster');
    fs.mkdirSync(cluster, { mode: 0o700 });
    fs.chownSync(cluster, account.uid, account.gid);
    execFileSync(bins.initdb, ['-D', cluster, '--auth=trust', '--username=postgres', '--locale=C', '--encoding=UTF8'], {
      uid: account.uid,
      gid: account.gid,
      cwd: cluster,
      stdio: 'pipe',
    });
    expect(fs.readFileSync(path.join(cluster, 'PG_VERSION'), 'utf8')).toMatch(/^\d+\n$/);

    // Copied once; again when the package is upgraded.
    const inode = () => fs.statSync(bins.postgres).ino;
    const first = inode();
    reachableBinaries(pkg, dataDir);
    expect(inode()).toBe(first);
    fs.writeFileSync(path.join(closed, 'package.json'), '{"version": "1.0.1"}');
    reachableBinaries(pkg, dataDir);
    expect(inode()).not.toBe(first);
  });

  it('refuses an account of that name that taskrun did not make, and makes one that is missing', () => {
    const taken = `trpg-taken-${process.pid}`;
    const fresh = `trpg-fresh-${process.pid}`;
    cleanups.push(() => {
      for (const name of [taken, fresh]) if (passwd(name)) execFileSync('userdel', [name]);
    });
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', taken]);
    expect(() => serverAccount(taken)).toThrow(`an account named ${taken} exists that taskrun did not make`);
    const made = serverAccount(fresh);
    expect(passwd(fresh)).toEqual({
      uid: made.uid,
      gid: made.gid,
      comment: "taskrun's embedded PostgreSQL",
      home: '/nonexistent',
      shell: '/usr/sbin/nologin',
    });
    expect(serverAccount(fresh)).toEqual(made);
  });
});
