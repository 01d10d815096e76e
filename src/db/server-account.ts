import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** The system account the embedded PostgreSQL runs as when taskrun runs as root. */
export const SERVER_ACCOUNT = 'taskrun-pg';

// Written into the account's comment at creation: an account of that name without it is someone else's.
const COMMENT = "taskrun's embedded PostgreSQL";

export type Account = { name: string; uid: number; gid: number };

function lookup(name: string): (Account & { comment: string }) | undefined {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined; // no such account (getent exits 2)
  }
  const [, , uid, gid, comment = ''] = line.trim().split(':');
  return { name, uid: Number(uid), gid: Number(gid), comment };
}

const stderrOf = (err: unknown) => (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;

/**
 * The account the embedded server runs as (PostgreSQL refuses root), made on first use like the run
 * users: a system account with a group of its own, no home and no shell. Whoever runs code as it owns
 * the database's files, and so the database: it must be taskrun's alone. The system's `postgres`
 * account, which a host's own PostgreSQL runs as and whose local connections it may trust, is not; nor
 * is an account of this name that taskrun did not make, which is refused.
 */
export function serverAccount(name = SERVER_ACCOUNT): Account {
  let found = lookup(name);
  if (!found) {
    try {
      const args = ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin'];
      execFileSync('useradd', [...args, '--comment', COMMENT, name], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      // Made meanwhile by another taskrun starting on this machine, or not made at all.
      if (!lookup(name)) throw new Error(`could not create the system account ${name} for the embedded PostgreSQL: ${stderrOf(err)}`);
    }
    found = lookup(name);
    if (!found) throw new Error(`the system account ${name} was created but getent passwd does not find it`);
  }
  if (found.comment !== COMMENT || found.uid === 0 || found.gid === 0) {
    throw new Error(
      `an account named ${name} exists that taskrun did not make (its comment is not "${COMMENT}"); the embedded ` +
        'PostgreSQL runs only as an account of its own, since whoever runs code as that account owns the database. ' +
        'Rename or remove that account, or set DATABASE_URL to a PostgreSQL server of your own',
    );
  }
  return { name, uid: found.uid, gid: found.gid };
}

/**
 * Gives the cluster in `dbDir` to `account` when it belongs to anyone else: a DATA_DIR made by an older
 * taskrun, whose server ran as the shared `postgres` account. `chown -R -h` changes links themselves and
 * follows none, so a link the former owner left in the cluster cannot turn the chown onto a file
 * elsewhere; it changes the top folder last, so a chown cut short is done again at the next start.
 */
export function giveClusterTo(dbDir: string, account: Account): void {
  const dir = fs.realpathSync(dbDir); // DATA_DIR is root's: a link there (to another disk) is the operator's
  const st = fs.statSync(dir);
  if (st.uid === account.uid && st.gid === account.gid) return;
  try {
    execFileSync('chown', ['-R', '-h', `${account.uid}:${account.gid}`, '--', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`could not give the database in ${dir} to the account ${account.name}: ${stderrOf(err)}`);
  }
}
