import fs from 'node:fs';
import type { RunLimits } from '../../config';

// Node cannot set a child's rlimits or cgroup between fork and exec, so a run starts as a few lines of
// /bin/sh (already switched to the run's uid by the spawn): it lowers its limits, waits until the runner
// has moved it into the run's cgroup when there is one, and execs the task's command in
// its place: the task keeps the shell's pid, process group and limits, and starts nothing outside. The
// wait is a line on stdin, which the task then gets as /dev/null, as every run always has.
const WRAPPER = [
  'ulimit -c 0 && ulimit -n "$1" && ulimit -f "$2" && ulimit -S -t "$3" && ulimit -H -t $(($3 + 5)) && ulimit -d "$4" &&',
  '  { [ "$5" = - ] || ulimit -p "$5"; } ||',
  '  { echo "taskrun: could not set the run\'s limits" >&2; exit 126; }',
  'if [ "$6" = 1 ]; then read -r _ || exit 126; fi',
  'exec 0</dev/null',
  'shift 6',
  'exec "$@"',
].join('\n');

/** How a run's process starts. */
export type LaunchPlan = {
  /** The task's command: interpreter, script and parameters (or bwrap and all that after it). */
  file: string;
  args: string[];
  limits: RunLimits;
  /** RLIMIT_DATA, in bytes (the memory limit, or more when a cgroup holds the run's memory). */
  dataBytes: number;
  /** RLIMIT_NPROC: it counts every process of the uid, so it is set only when the uid is the run's alone. */
  processRlimit: number | undefined;
  /** Wait for a line on stdin before running the command. */
  waitForCgroup: boolean;
};

// CPU time: SIGXCPU at the limit (a reason the runner can name), SIGKILL 5 s of CPU later for a
// program that ignores it; with both equal the kernel sends SIGKILL alone.

/**
 * What a run user cannot be given: the runner's own hard limits (a process may lower its limits, never
 * raise them once it is not root). Read once from /proc/self/limits.
 */
export function hardLimits(): Pick<RunLimits, 'maxOpenFiles' | 'maxProcesses'> {
  const out: Pick<RunLimits, 'maxOpenFiles' | 'maxProcesses'> = { maxOpenFiles: Number.MAX_SAFE_INTEGER, maxProcesses: Number.MAX_SAFE_INTEGER };
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return out; // no /proc: what was configured
  }
  const hard = (label: string) => {
    const value = text.split('\n').find((l) => l.startsWith(label))?.slice(label.length).trim().split(/\s+/)[1];
    return value && value !== 'unlimited' ? Number(value) : Number.MAX_SAFE_INTEGER;
  };
  return { maxOpenFiles: hard('Max open files'), maxProcesses: hard('Max processes') };
}

/** The shell's argv: the wrapper, its limits (dash's units: 512-byte blocks, KiB; -p is RLIMIT_NPROC), then the command. */
export function launchArgs(plan: LaunchPlan): { file: string; args: string[] } {
  const { limits } = plan;
  const values = [
    String(limits.maxOpenFiles),
    String(Math.max(1, Math.floor(limits.maxFileBytes / 512))),
    String(limits.maxCpuSeconds),
    String(Math.ceil(plan.dataBytes / 1024)),
    plan.processRlimit === undefined ? '-' : String(plan.processRlimit),
    plan.waitForCgroup ? '1' : '0',
  ];
  return { file: '/bin/sh', args: ['-c', WRAPPER, 'taskrun-run', ...values, plan.file, ...plan.args] };
}

/**
 * setpriv's part of the launcher: the run's uid and gid, no other group, and no new privileges (a
 * setuid program does not make a run root). Its argv ends in `--`, before the wrapper.
 */
export function userSwitch(uid: number): string[] {
  return ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', '--no-new-privs', '--'];
}
