import postgres from 'postgres';

// taskrun's processes use an app role that is not a superuser and does not own the tables: above all,
// it may only INSERT and SELECT the audit log, so nothing running as taskrun (nor anyone who learnt
// its password) can rewrite or disable it. An owner role runs the migrations and grants the rest.

/** Tables the app role may read and add to, but never change: the audit log is append-only. */
const APPEND_ONLY = ['audit_log'];

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function open(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
}

/** The role a connection URL signs in as, as PostgreSQL spells it. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'postgres';
}

/**
 * Makes the app role of `appUrl` exist, with the URL's password, when the owner may create roles (the
 * embedded server's superuser, or an owner with CREATEROLE). An existing role is left as it is, unless
 * `take` (the embedded server, whose roles are taskrun's): then it is made unprivileged and given the
 * password.
 */
export async function ensureAppRole(ownerUrl: string, appUrl: string, take = false): Promise<void> {
  const role = roleOf(appUrl);
  if (role === roleOf(ownerUrl)) return;
  const sql = open(ownerUrl);
  try {
    const [found] = await sql<{ n: number }[]>`select count(*)::int as n from pg_roles where rolname = ${role}`;
    if (found!.n > 0 && !take) return;
    const pw = decodeURIComponent(new URL(appUrl).password).replace(/'/g, "''");
    const verb = found!.n === 0 ? 'create' : 'alter';
    await sql.unsafe(
      `${verb} role ${quoteIdent(role)} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '${pw}'`,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Grants the app role what taskrun's web and runners need on everything the migrations made: rows of
 * every table (only INSERT and SELECT on the audit log), its sequences and functions, and a look at
 * which migrations ran. Run by the owner after every migration; granting again is harmless.
 */
export async function grantAppRole(ownerUrl: string, role: string): Promise<void> {
  const sql = open(ownerUrl);
  const r = quoteIdent(role);
  try {
    if (role === roleOf(ownerUrl)) return; // one role for both: nothing to grant
    await sql.begin(async (tx) => {
      await tx.unsafe(`grant usage on schema public to ${r}`);
      await tx.unsafe(`grant select, insert, update, delete on all tables in schema public to ${r}`);
      for (const table of APPEND_ONLY) await tx.unsafe(`revoke update, delete, truncate on ${quoteIdent(table)} from ${r}`);
      await tx.unsafe(`grant usage, select, update on all sequences in schema public to ${r}`);
      await tx.unsafe(`grant execute on all functions in schema public to ${r}`);
      await tx.unsafe(`grant usage on schema drizzle to ${r}`);
      await tx.unsafe(`grant select on all tables in schema drizzle to ${r}`);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * What is unsafe about the role and server behind `url`, for a warning at start: a superuser or the
 * owner of the audit log can rewrite it, and a server that lets anyone in without a password lets a
 * task's code in too.
 */
export async function roleWarnings(url: string): Promise<string[]> {
  const warnings: string[] = [];
  const sql = open(url);
  try {
    const [me] = await sql<{ superuser: boolean; owns_audit: boolean }[]>`
      select r.rolsuper as superuser,
        coalesce((select t.tableowner = current_user from pg_tables t where t.schemaname = 'public' and t.tablename = 'audit_log'), false) as owns_audit
      from pg_roles r where r.rolname = current_user`;
    if (me?.superuser) {
      warnings.push(
        `the database role "${roleOf(url)}" is a superuser: it could rewrite the audit log; give taskrun a role of its own (DATABASE_URL) and run migrations with DATABASE_OWNER_URL`,
      );
    } else if (me?.owns_audit) {
      warnings.push(
        `the database role "${roleOf(url)}" owns the audit log, so it could change it; run migrations as another role with DATABASE_OWNER_URL`,
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const u = new URL(url);
  u.password = '';
  // A function, so that neither the URL nor PGPASSWORD supplies one.
  const bare = postgres(u.toString(), { max: 1, onnotice: () => undefined, connect_timeout: 10, pass: () => '' });
  const entered = await bare`select 1`.then(
    () => true,
    () => false,
  );
  await bare.end({ timeout: 5 });
  if (entered) {
    warnings.push(
      `PostgreSQL at ${u.host} lets "${roleOf(url)}" in without a password (trust in pg_hba.conf): any program on the machine, a task's code included, can connect as it; require scram-sha-256`,
    );
  }
  return warnings;
}
