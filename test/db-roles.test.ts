import fs from 'node:fs';
import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { MIGRATIONS_DIR } from '../src/db/migrate';
import { roleWarnings } from '../src/db/roles';
import { startApp, writeTask, type AppProcess } from './e2e/support/app-process';
import { reachableTempDir } from './support/dirs';
import { waitFor } from './support/harness';

// The database roles taskrun uses: the owner migrates and grants, the app role (web, runners) may only
// add to and read the audit log. A DATA_DIR made before roles existed is upgraded at start.

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// drizzle/ as an older taskrun shipped it: the migrations before isolation (0000 to 0009).
function olderMigrations(): string {
  const dir = reachableTempDir('taskrun-old-migrations-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 9);
  fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries as { tag: string }[])
    fs.copyFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

describe.skipIf(process.getuid?.() !== 0)("the embedded server's roles", () => {
  let app: AppProcess;
  let dataDir: string;

  it('upgrades a DATA_DIR of an older taskrun (everything as the superuser) to an app role of its own', async () => {
    // An older taskrun's DATA_DIR: the cluster, its superuser password, tables made by the superuser, a run.
    const dir = reachableTempDir('taskrun-upgrade-');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    dataDir = path.join(dir, 'data');
    const old = await startEmbeddedPostgres(dataDir);
    const sql = postgres(old.url, { max: 1, onnotice: () => undefined });
    await migrate(drizzle(sql), { migrationsFolder: olderMigrations() });
    await sql`insert into runs (task_id, status, timeout_s, created_at, finished_at) values ('before', 'success', 60, now(), now())`;
    await sql.end();
    await old.stop();

    app = await startApp({ DATA_DIR: dataDir });
    cleanups.push(() => app.stop());
    writeTask(app, 'after.sh', 'echo upgraded\n');
    const { run_id } = await (await app.api('/api/tasks/after/execute', { method: 'POST' })).json();
    const run = await waitFor(
      async () => {
        const r = await (await app.api(`/api/runs/${run_id}`)).json();
        return r.finished_at ? r : undefined;
      },
      60_000,
      'the run to end',
    );
    expect(run.status).toBe('success');
    expect((await (await app.api('/api/runs?task_id=before')).json()).runs).toHaveLength(1);

    // Web and runner sign in as the app role, which is no superuser; the superuser still owns the tables.
    const owner = postgres(
      `postgres://postgres:${encodeURIComponent(fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim())}@127.0.0.1:${fs.readFileSync(path.join(dataDir, 'pg-port'), 'utf8').trim()}/postgres`,
      { max: 1, onnotice: () => undefined },
    );
    try {
      const users =
        await owner`select distinct application_name, usename from pg_stat_activity where application_name in ('taskrun-web', 'taskrun-runner') order by 1`;
      expect(users).toEqual([
        { application_name: 'taskrun-runner', usename: 'taskrun' },
        { application_name: 'taskrun-web', usename: 'taskrun' },
      ]);
      expect((await owner`select rolsuper from pg_roles where rolname = 'taskrun'`)[0]).toEqual({ rolsuper: false });
      expect((await owner`select tableowner from pg_tables where tablename = 'audit_log'`)[0]).toEqual({ tableowner: 'postgres' });
      const grants =
        await owner`select privilege_type from information_schema.role_table_grants where grantee = 'taskrun' and table_name = 'audit_log' order by 1`;
      expect(grants.map((g) => g.privilege_type)).toEqual(['INSERT', 'SELECT']);
    } finally {
      await owner.end();
    }
    // The app role's password is DATA_DIR's, mode 0600; the address other local processes use names it.
    expect(fs.statSync(path.join(dataDir, 'pg-app-password')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dataDir, 'embedded-url'), 'utf8')).toMatch(/^postgres:\/\/taskrun:/);
  });

  it('has nothing to warn about: the app role is no superuser and the server wants passwords', async () => {
    const url = fs.readFileSync(path.join(dataDir, 'embedded-url'), 'utf8').trim();
    expect(await roleWarnings(url)).toEqual([]);
  });
});

describe('warnings at start', () => {
  it("says when taskrun's role is a superuser, and when the server lets it in without a password", async () => {
    const external = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const probe = postgres(external, { max: 1, connect_timeout: 3, onnotice: () => undefined });
    const reachable = await probe`select 1`.then(
      () => true,
      () => false,
    );
    await probe.end();
    if (!reachable) return; // no trusting server on this machine to show it
    const warnings = await roleWarnings(external);
    expect(warnings.join('\n')).toMatch(/is a superuser: it could rewrite the audit log/);
    expect(warnings.join('\n')).toMatch(/without a password \(trust in pg_hba.conf\)/);
  });
});
