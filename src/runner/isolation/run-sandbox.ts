import crypto from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Config, RunLimits } from '../../config';
import { sandboxArgs } from './bubblewrap';
import { createRunCgroup, type RunCgroup } from './cgroups';
import type { TaskSettings } from '../../queries/task-settings';
import type { Isolation } from './isolation';
import { stdinScript, userSwitch, wrapperCommand } from './launch';
import type { Lease } from './leases';
import { runUserName } from './run-users';
import { endProcesses, processesOf } from './uid-processes';
import { createWorkdir, finishWorkdir, removeFilesOf } from './workdir';

/** The isolation settings of a task; null limits take the runner's defaults (RUN_MAX_*). */
export type SandboxSettings = Pick<
  TaskSettings,
  'isolation' | 'network' | 'maxProcesses' | 'maxMemoryBytes' | 'maxFileBytes' | 'maxOpenFiles' | 'maxCpuSeconds'
>;

/**
 * A task's limits: its own where it set them, else the runner's RUN_MAX_*, which are also the most a
 * task may have (an editor's task cannot raise what the operator set), and never more than the
 * runner's own hard limits (a run user could not take them anyway).
 */
export function runLimitsOf(s: SandboxSettings, max: RunLimits, hard: Partial<RunLimits> = {}): RunLimits {
  const pick = (own: number | null, most: number, hardest = Number.MAX_SAFE_INTEGER) => Math.min(own ?? most, most, hardest);
  return {
    maxProcesses: pick(s.maxProcesses, max.maxProcesses, hard.maxProcesses),
    maxMemoryBytes: pick(s.maxMemoryBytes, max.maxMemoryBytes),
    maxFileBytes: pick(s.maxFileBytes, max.maxFileBytes),
    maxOpenFiles: pick(s.maxOpenFiles, max.maxOpenFiles, hard.maxOpenFiles),
    maxCpuSeconds: pick(s.maxCpuSeconds, max.maxCpuSeconds),
  };
}

// How far RLIMIT_NPROC stays above a pids cgroup's limit.
const PROCESS_BACKSTOP = 8;

/** How a run's shell is started: its file and argv, in TASKS_DIR, as the uid where the spawn switches it. */
export type LauncherSpec = { file: string; args: string[]; cwd: string; uid?: number; gid?: number };

/**
 * The start of a run as `uid` (undefined: taskrun's own, without root): as root the launcher, which
 * switches to the uid itself (with an IPC namespace of its own where it can), then the wrapper; the
 * same for every run of the uid, so a runner can start it ahead of the run (src/runner/isolation/prepared.ts).
 */
export function launcherSpec(iso: Pick<Isolation, 'launcher'>, uid: number | undefined, cwd: string): LauncherSpec {
  const shell = wrapperCommand();
  if (uid === undefined) return { ...shell, cwd };
  if (iso.launcher) return { file: iso.launcher[0]!, args: [...iso.launcher.slice(1), ...userSwitch(uid), shell.file, ...shell.args], cwd };
  return { ...shell, cwd, uid, gid: uid };
}

/**
 * The name of a run's cgroup: per uid where the run has one (a shell started ahead joins it before the
 * run is known), else per run; and per runner, so runners sharing a parent cgroup never share one.
 */
export const cgroupName = (uid: number | undefined, runId: number): string =>
  uid === undefined ? `taskrun-${process.pid}-run-${runId}` : `taskrun-${process.pid}-uid-${uid}`;

/** One run's place to run: its uid, scratch folder, cgroup and limits, from start to clean-up. */
export type Sandbox = {
  limits: RunLimits;
  /** The run's uid, when it has one of its own. */
  uid: number | undefined;
  workdir: string;
  /** How the run's shell is started (the same for every run of its uid: see launcherSpec). */
  spawn: LauncherSpec;
  /**
   * Right after the spawn (or, for a launcher started ahead, `joined` its cgroup already): into the
   * cgroup, then on `stdin` the run's limits, its command (`file`, `args`, in a sandbox where it has
   * one) and its environment (`env`, plus its scratch folder and user).
   */
  started: (pid: number, stdin: Writable, file: string, args: string[], env: NodeJS.ProcessEnv, joined: boolean) => Promise<void>;
  /** The run's processes, when they can be told apart by more than their process group. */
  members: (() => number[]) | undefined;
  /** Ends every process of the run: SIGTERM, then SIGKILL after `graceMs`. */
  endAll: (graceMs: number) => Promise<void>;
  /** What the kernel did to the run since it started. */
  events: () => { oomKills: number; memoryMax: number; pidsMax: number };
  /** Forks the kernel refused the run so far, where a pids cgroup counts them. */
  forkRefusals: (() => number) | undefined;
  /**
   * After the run: processes, files, keyrings, cgroup and folder gone (a failed run's folder kept a
   * while). `clean` is false when something of the uid is left: the uid must not be used again.
   */
  close: (failed: boolean) => Promise<{ kept: string | undefined; clean: boolean; left: string[] }>;
};

/**
 * Prepares a run's sandbox: a leased uid (as root), a scratch folder owned by it, a cgroup with its
 * memory and process limits where the host has one, and (at `strict`, or always without root) a
 * bubblewrap sandbox. `lease` is the uid the runner took for this run.
 */
export async function openSandbox(
  iso: Isolation,
  cfg: Config,
  run: { id: number; script: string },
  settings: SandboxSettings,
  lease: Lease | undefined,
): Promise<Sandbox> {
  const limits = runLimitsOf(settings, cfg.runLimits, iso.hardLimits);
  const uid = lease?.uid;
  const owner = uid === undefined ? undefined : { uid, gid: uid };
  let cgroup: RunCgroup | undefined;
  if (iso.cgroups.kind !== 'none') {
    // The host gave cgroups at start: a run that cannot have one is not run with less.
    cgroup = createRunCgroup(iso.cgroups, cgroupName(uid, run.id), { memoryBytes: limits.maxMemoryBytes, processes: limits.maxProcesses });
  }
  const workdir = await createWorkdir(cfg.runWorkDir, run.id, owner).catch((err: Error) => {
    cgroup?.remove();
    throw err;
  });
  const pidsCgroup = cgroup !== undefined && iso.cgroups.controllers.includes('pids');
  // Ends the environment on stdin; random, so that no value can hold it.
  const terminator = `taskrun-end-${crypto.randomBytes(12).toString('hex')}`;
  const sandboxed = settings.isolation === 'strict' || uid === undefined;
  const name = uid === undefined ? undefined : runUserName(uid);
  // A run with its own uid: every process of it is the run's; its cgroup, where it has one, says so
  // without reading all of /proc. Without a uid, its cgroup (bubblewrap's pid namespace ends the rest).
  const members = cgroup ? () => cgroup!.members() : uid !== undefined ? () => processesOf(uid) : undefined;
  const endAll = async (graceMs: number): Promise<boolean> => {
    const ended = members ? await endProcesses(members, graceMs) : true;
    // Outside its cgroup a process of the uid can only be one this runner did not start: still the run's.
    return uid !== undefined && cgroup ? (await endProcesses(() => processesOf(uid), 0)) && ended : ended;
  };
  return {
    limits,
    uid,
    workdir,
    spawn: launcherSpec(iso, uid, cfg.tasksDir),
    started: async (pid, stdin, file, args, env, joined) => {
      // A run that dies before it reads closes the pipe: that is its end, not the runner's error.
      stdin.on('error', () => {
        // EPIPE here is the run's own end, which the runner records from its exit.
      });
      try {
        if (!joined) await cgroup?.join(pid);
      } catch (err) {
        // Nothing on stdin: the wrapper's read fails and it exits without running the task.
        stdin.destroy();
        throw err;
      }
      const sandbox =
        sandboxed && iso.bubblewrap.available
          ? [
              iso.bubblewrap.path,
              ...sandboxArgs({
                hidden: [cfg.dataDir, cfg.logsDir, cfg.runWorkDir],
                workdir,
                tasksDir: cfg.tasksDir,
                onlyScript: settings.isolation === 'strict' ? run.script : undefined,
                network: settings.network,
              }),
              '--',
            ]
          : undefined;
      stdin.end(
        stdinScript({
          file,
          args,
          sandbox,
          terminator,
          limits,
          // With a cgroup holding the run's memory, the per-process limit is a backstop above it, so a run
          // that grows past its limit is stopped by the cgroup, which says why.
          dataBytes: cgroup && iso.cgroups.controllers.includes('memory') ? limits.maxMemoryBytes * 2 : limits.maxMemoryBytes,
          // With a pids cgroup the cgroup refuses forks first, and counts each refusal (a fork bomb at its
          // limit is told from a run that merely has that many processes); the rlimit is a backstop.
          processRlimit: uid === undefined ? undefined : limits.maxProcesses + (pidsCgroup ? PROCESS_BACKSTOP : 0),
          env: { ...env, HOME: workdir, TMPDIR: workdir, TASKRUN_WORKDIR: workdir, ...(name ? { USER: name, LOGNAME: name } : {}) },
        }),
      );
    },
    members,
    endAll: async (graceMs) => {
      await endAll(graceMs);
    },
    events: () => cgroup?.events() ?? { oomKills: 0, memoryMax: 0, pidsMax: 0 },
    forkRefusals: pidsCgroup ? () => cgroup!.events().pidsMax : undefined,
    close: async (failed) => {
      const ended = await endAll(0);
      const kept = await finishWorkdir(workdir, failed ? cfg.keepFailedWorkdirMs : 0);
      const left = uid === undefined ? [] : await removeFilesOf(uid, cfg.runWorkDir, iso.python);
      if (!ended) left.unshift(`processes of uid ${uid ?? '(none)'}`);
      cgroup?.remove();
      return { kept, clean: left.length === 0, left };
    },
  };
}
