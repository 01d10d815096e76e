import type { Writable } from 'node:stream';
import type { Config, RunLimits } from '../../config';
import { runUserName } from './run-users';
import { sandboxArgs } from './bubblewrap';
import { createRunCgroup, type RunCgroup } from './cgroups';
import type { Isolation, IsolationLevel } from './isolation';
import { launchArgs } from './launch';
import type { Lease } from './leases';
import { endUid, processesOf } from './uid-processes';
import { sleep } from '../../timing';
import { createWorkdir, finishWorkdir, removeFilesOf } from './workdir';

/** The isolation settings of a task; null limits take the runner's defaults (RUN_MAX_*). */
export type SandboxSettings = {
  isolation: IsolationLevel;
  network: boolean;
  maxProcesses: number | null;
  maxMemoryBytes: number | null;
  maxFileBytes: number | null;
  maxOpenFiles: number | null;
  maxCpuSeconds: number | null;
};

/** A task's limits over the defaults. */
export function runLimitsOf(s: SandboxSettings, defaults: RunLimits): RunLimits {
  return {
    maxProcesses: s.maxProcesses ?? defaults.maxProcesses,
    maxMemoryBytes: s.maxMemoryBytes ?? defaults.maxMemoryBytes,
    maxFileBytes: s.maxFileBytes ?? defaults.maxFileBytes,
    maxOpenFiles: s.maxOpenFiles ?? defaults.maxOpenFiles,
    maxCpuSeconds: s.maxCpuSeconds ?? defaults.maxCpuSeconds,
  };
}

// Without a uid of its own, a run's processes are its cgroup's (a process cannot leave it unprivileged).
async function endMembers(cgroup: RunCgroup, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => cgroup.members().forEach((pid) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  });
  if (cgroup.members().length === 0) return;
  if (graceMs > 0) {
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && cgroup.members().length > 0) await sleep(50);
  }
  for (let i = 0; i < 100 && cgroup.members().length > 0; i++) {
    signal('SIGKILL');
    await sleep(20);
  }
}

/** One run's place to run: its uid, scratch folder, cgroup and limits, from start to clean-up. */
export type Sandbox = {
  limits: RunLimits;
  /** The run's uid, when it has one of its own. */
  uid: number | undefined;
  workdir: string;
  /** Variables every process of the run gets. */
  env: Record<string, string>;
  /** The spawn: /bin/sh with the wrapper, as the run's uid, in `cwd`. */
  command: (file: string, args: string[], cwd: string) => { file: string; args: string[]; uid?: number; gid?: number; cwd: string; waitForGo: boolean };
  /** Right after the spawn: into the cgroup, then a line on `go` (its stdin) lets the wrapper run the task. */
  started: (pid: number, go: Writable | undefined) => Promise<void>;
  /** The run's processes, when they can be told apart by more than their process group. */
  members: (() => number[]) | undefined;
  /** Ends every process of the run: SIGTERM, then SIGKILL after `graceMs`. */
  endAll: (graceMs: number) => Promise<void>;
  /** What the kernel did to the run since it started. */
  events: () => { oomKills: number; memoryMax: number; pidsMax: number };
  /** After the run: files, cgroup and uid cleaned up; answers where a failed run's folder was kept. */
  close: (failed: boolean) => Promise<string | undefined>;
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
  const limits = runLimitsOf(settings, cfg.runLimits);
  const uid = lease?.uid;
  const owner = uid === undefined ? undefined : { uid, gid: uid };
  const workdir = await createWorkdir(cfg.runWorkDir, run.id, owner);
  let cgroup: RunCgroup | undefined;
  try {
    const name = uid === undefined ? `taskrun-${process.pid}-run-${run.id}` : `taskrun-uid-${uid}`;
    cgroup = createRunCgroup(iso.cgroups, name, { memoryBytes: limits.maxMemoryBytes, processes: limits.maxProcesses });
  } catch {
    cgroup = undefined; // the host refused after all: rlimits alone, as without cgroups
  }
  const sandboxed = settings.isolation === 'strict' || uid === undefined;
  const name = uid === undefined ? undefined : runUserName(uid);
  const members = cgroup ? () => cgroup!.members() : uid !== undefined ? () => processesOf(uid) : undefined;
  return {
    limits,
    uid,
    workdir,
    env: { HOME: workdir, TMPDIR: workdir, TASKRUN_WORKDIR: workdir, ...(name ? { USER: name, LOGNAME: name } : {}) },
    command: (file, args, cwd) => {
      const inner = sandboxed && iso.bubblewrap.available
        ? {
            file: iso.bubblewrap.path,
            args: [
              ...sandboxArgs({
                hidden: [cfg.dataDir, cfg.logsDir, cfg.runWorkDir],
                workdir,
                tasksDir: cwd,
                onlyScript: settings.isolation === 'strict' ? run.script : undefined,
                network: settings.network,
              }),
              '--',
              file,
              ...args,
            ],
          }
        : { file, args };
      const shell = launchArgs({
        ...inner,
        limits,
        // With a cgroup holding the run's memory, the per-process limit is a backstop above it, so a run
        // that grows past its limit is stopped by the cgroup, which says why.
        dataBytes: cgroup && iso.cgroups.controllers.includes('memory') ? limits.maxMemoryBytes * 2 : limits.maxMemoryBytes,
        countProcesses: uid !== undefined,
        waitForCgroup: cgroup !== undefined,
      });
      return { ...shell, ...owner, cwd, waitForGo: cgroup !== undefined };
    },
    started: async (pid, go) => {
      try {
        await cgroup?.join(pid);
      } catch (err) {
        // No line: the wrapper's read fails and it exits without running the task.
        go?.destroy();
        throw err;
      }
      go?.end('\n');
    },
    members,
    endAll: async (graceMs) => {
      if (uid !== undefined) await endUid(uid, graceMs, members);
      else if (cgroup) await endMembers(cgroup, graceMs);
    },
    events: () => cgroup?.events() ?? { oomKills: 0, memoryMax: 0, pidsMax: 0 },
    close: async (failed) => {
      if (uid !== undefined) await endUid(uid, 0, members);
      else if (cgroup) await endMembers(cgroup, 0);
      const kept = await finishWorkdir(workdir, failed ? cfg.keepFailedWorkdirMs : 0);
      if (uid !== undefined) await removeFilesOf(uid, cfg.runWorkDir);
      cgroup?.remove();
      return kept;
    },
  };
}
