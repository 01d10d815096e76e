import fs from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Config, RunLimits } from '../../config';
import type { Logger } from '../../log';
import { detectBubblewrap, type BubblewrapSupport } from './bubblewrap';
import type { RunnerIsolation } from '../../db/schema';
import { detectCgroups, removeStaleCgroups, type CgroupSupport } from './cgroups';
import { prepareLeaseDir, UidLeases } from './leases';
import { ensureRunUsers, poolProblem } from './run-users';
import { endProcesses, processesOf } from './uid-processes';
import { HELPER_ENV, hardLimits, userSwitch, wrapperCommand } from './launch';
import type { Lease } from './leases';
import { resolveInterpreters, type Interpreters } from '../interpreters';
import { closedOnTheWay, prepareWorkRoot, removeFilesOf } from './workdir';

/** How this runner keeps runs inside the trust boundary. */
export type Isolation = {
  /** Leased uids (taskrun is root), or undefined: runs keep taskrun's uid, in a sandbox. */
  leases: UidLeases | undefined;
  /**
   * As root, what starts a run before its wrapper: `unshare --ipc -- setpriv` (an IPC namespace of its
   * own, then its uid with no new privileges), or `setpriv` alone where namespaces are not allowed;
   * undefined: the spawn switches the uid itself.
   */
  launcher: string[] | undefined;
  /** The runner's hard limits, above which no run can be given anything. */
  hardLimits: Pick<RunLimits, 'maxOpenFiles' | 'maxProcesses'>;
  /** A Python the run users can start, to empty a run uid's keyrings (no keyutils needed). */
  python: string | undefined;
  /** The interpreters of tasks, ones the run users can start. */
  interpreters: Interpreters;
  cgroups: CgroupSupport;
  bubblewrap: BubblewrapSupport;
  /** Why no run may start, or undefined; checked again by `recheck`. */
  refusal: string | undefined;
  /** Checks again what an operator may fix meanwhile (a folder's mode). */
  recheck: () => Promise<void>;
  report: () => RunnerIsolation;
};

const run = promisify(execFile);

// What a run user needs of the folders: to reach TASKS_DIR (and read the scripts), to reach its own
// scratch folder, and no way to change any script.
async function folderProblems(cfg: Config): Promise<string[]> {
  const problems: string[] = [];
  const reach = async (what: string, dir: string) => {
    const closed = await closedOnTheWay(dir);
    if (closed)
      problems.push(
        `run users cannot reach ${what} ${dir}: ${closed} is closed to other users; run \`chmod o+x ${closed}\` or choose a ${what} elsewhere`,
      );
  };
  await reach('TASKS_DIR', cfg.tasksDir);
  await reach('RUN_WORK_DIR', cfg.runWorkDir);
  const tasks = await fs.stat(cfg.tasksDir).catch(() => undefined);
  if (tasks && (tasks.mode & 0o002) !== 0)
    problems.push(`TASKS_DIR ${cfg.tasksDir} is writable by every user, runs included; run \`chmod o-w ${cfg.tasksDir}\``);
  return problems;
}

const UNSHARE = '/usr/bin/unshare';
const SETPRIV = '/usr/bin/setpriv';

// The best launcher this host allows, tried for real as the pool's first uid.
async function detectLauncher(uid: number): Promise<string[] | undefined> {
  const candidates = [[UNSHARE, '--ipc', '--', SETPRIV], [SETPRIV]];
  for (const c of candidates) {
    const ok = await run(c[0]!, [...c.slice(1), ...userSwitch(uid), '/bin/true'], {
      timeout: 10_000,
      killSignal: 'SIGKILL',
      env: HELPER_ENV,
      cwd: '/',
    }).then(
      () => true,
      () => false,
    );
    if (ok) return c;
  }
  return undefined;
}

// Run users may not enter LOGS_DIR (a run's output reaches its log only through the runner) nor list
// or read DATA_DIR (which keeps o+x where the embedded server's account (taskrun-pg) must pass through).
async function closeFolders(cfg: Config): Promise<void> {
  await fs.mkdir(cfg.logsDir, { recursive: true });
  const logs = await fs.stat(cfg.logsDir);
  if (logs.mode & 0o007) await fs.chmod(cfg.logsDir, logs.mode & 0o7770);
  const data = await fs.stat(cfg.dataDir).catch(() => undefined);
  if (data && data.mode & 0o006) await fs.chmod(cfg.dataDir, data.mode & 0o7771);
}

/**
 * Sets up isolation when a runner starts: as root, the run uids (created on first start), their lease
 * folder and the reachability of the folders runs need; bubblewrap and cgroups as the host allows.
 * Never silently weaker: when the boundary cannot hold, `refusal` says why and what fixes it.
 */
export async function setupIsolation(cfg: Config, log: Logger): Promise<Isolation> {
  const root = process.getuid?.() === 0;
  const pool = { base: cfg.runUidBase, count: cfg.runUidCount };
  const fixed: string[] = [];
  let leases: UidLeases | undefined;
  let launcher: string[] | undefined;
  // Clearing a uid's keyrings takes a Python: the system's until the run users' one is known.
  let python: string | undefined = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
  await prepareWorkRoot(cfg.runWorkDir).catch((err: Error) => fixed.push(err.message));
  await closeFolders(cfg).catch((err: Error) => fixed.push(`cannot close LOGS_DIR or DATA_DIR to runs: ${err.message}`));
  // What runs can do is tried as a run user: one leased for the checks, so no run of another runner
  // holds it meanwhile (it could stop or trace a check).
  let probe: Lease | undefined;
  if (root) {
    const bad = poolProblem(pool);
    if (bad) fixed.push(bad);
    else {
      ensureRunUsers(pool, log);
      prepareLeaseDir();
      // A uid newly leased may hold what a runner that died mid-run left: processes, then files.
      leases = new UidLeases(pool, async (uid) => {
        const ended = await endProcesses(() => processesOf(uid), 0);
        const left = await removeFilesOf(uid, cfg.runWorkDir, python);
        if (!ended || left.length > 0)
          log.error({ uid, left: ended ? left : ['processes', ...left] }, 'a run uid could not be cleared; it is not used');
        return ended && left.length === 0;
      });
      await leases.reserve(1);
      probe = leases.take();
      if (!probe)
        fixed.push(`every uid of RUN_UID_BASE..+RUN_UID_COUNT is taken on this host, so nothing could be checked; raise RUN_UID_COUNT`);
    }
  }
  const asUid = probe?.uid;
  const [bubblewrap, found, interpreters] = await Promise.all([
    detectBubblewrap(root ? asUid : undefined),
    asUid === undefined ? undefined : detectLauncher(asUid),
    resolveInterpreters(cfg.python, root ? asUid : undefined),
  ]);
  const probed = probe !== undefined;
  if (probe) leases!.give(probe);
  launcher = found;
  python = interpreters.python ?? python;
  const cgroups = detectCgroups();
  removeStaleCgroups(cgroups);
  if (!root && !bubblewrap.available) {
    fixed.push(
      `taskrun does not run as root, so runs cannot switch to unprivileged users, and ${bubblewrap.reason}; ` +
        'start taskrun as root (it runs every task as a dedicated unprivileged uid), or install bubblewrap so runs get namespaces of their own',
    );
  }
  let folders = root ? await folderProblems(cfg) : [];
  const refusal = () => [...fixed, ...folders][0];
  const iso: Isolation = {
    leases,
    launcher,
    hardLimits: hardLimits(),
    python,
    interpreters,
    cgroups,
    bubblewrap,
    refusal: refusal(),
    recheck: async () => {
      if (root) folders = await folderProblems(cfg);
      iso.refusal = refusal();
    },
    report: () => {
      const problems = [...fixed, ...folders];
      if (!bubblewrap.available && bubblewrap.reason) problems.push(`strict isolation is unavailable: ${bubblewrap.reason}`);
      if (probed && launcher?.[0] !== UNSHARE)
        problems.push(
          "runs share the machine's IPC (util-linux unshare --ipc is not allowed here): taskrun removes what a run leaves there",
        );
      if (!wrapperCommand().ownKeyring)
        problems.push("runs share the runner's session keyring, if it has one (no Perl at /usr/bin/perl to give each run its own)");
      if (probed && !launcher)
        problems.push(
          'util-linux setpriv cannot switch users here: runs start without no_new_privs, so a setuid program still works for them',
        );
      if (cgroups.reason) problems.push(`memory and process limits are rlimits only: ${cgroups.reason}`);
      return {
        levels: iso.refusal ? [] : bubblewrap.available ? ['standard', 'strict'] : ['standard'],
        cgroup: cgroups.kind,
        bubblewrap: bubblewrap.available,
        run_users: leases !== undefined,
        problems,
      };
    },
  };
  for (const problem of iso.report().problems) log.warn({ problem }, 'isolation');
  return iso;
}
