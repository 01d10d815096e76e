import fs from 'node:fs';
import type { RunLimits } from '../../config';

// Node cannot set a child's rlimits or cgroup between fork and exec, so a run starts as a few lines of
// /bin/sh (switched to the run's uid by the launcher before it): it lowers its limits, waits for a line
// on stdin (sent once the runner has moved it into the run's cgroup), and execs the task's command in
// its place: the task keeps the shell's pid, process group and limits, and starts nothing outside.
//
// The run's environment (its variables, secrets, parameters) comes on stdin too, after that line, as
// `export NAME='value'` lines up to a terminator line named in argv, and is read by the last shell
// before the task (inside the sandbox, at strict). Everything before it (the launcher, which runs as
// root; bubblewrap) starts with an empty environment: a variable such as LD_PRELOAD in a task's
// settings would otherwise load an editor's code into a process running as root. stdin is /dev/null
// for the task, as it always was.
const READ_ENV = [
  's=""',
  'while IFS= read -r line; do [ "$line" = "$end" ] && break; s="$s$line',
  '"; done',
  'eval "$s" || exit 126',
  'exec 0</dev/null',
].join('\n');
const WRAPPER = [
  'ulimit -c 0 && ulimit -n "$1" && ulimit -f "$2" && ulimit -S -t "$3" && ulimit -H -t $(($3 + 5)) && ulimit -d "$4" &&',
  '  { [ "$5" = - ] || ulimit -p "$5"; } ||',
  '  { echo "taskrun: could not set the run\'s limits" >&2; exit 126; }',
  'IFS= read -r _ || exit 126',
  'end="$6"; inner="$7"; shift 7',
  '[ "$inner" = 1 ] && exec "$@"',
  READ_ENV,
  'exec "$@"',
].join('\n');
// The shell inside a sandbox that reads the environment and execs the task.
const INNER = ['end="$1"; shift', READ_ENV, 'exec "$@"'].join('\n');

/** How a run's process starts. */
export type LaunchPlan = {
  /** The task's command: interpreter, script and parameters. */
  file: string;
  args: string[];
  /** bwrap and its arguments (ending in `--`) when the run has a sandbox. */
  sandbox: string[] | undefined;
  /** The line that ends the environment on stdin. */
  terminator: string;
  limits: RunLimits;
  /** RLIMIT_DATA, in bytes (the memory limit, or more when a cgroup holds the run's memory). */
  dataBytes: number;
  /** RLIMIT_NPROC: it counts every process of the uid, so it is set only when the uid is the run's alone. */
  processRlimit: number | undefined;
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

/**
 * The shell's argv: the wrapper, its limits (dash's units: 512-byte blocks, KiB; -p is RLIMIT_NPROC),
 * the environment's terminator, then the command (or the sandbox, its inner shell and the command).
 */
export function launchArgs(plan: LaunchPlan): { file: string; args: string[] } {
  const { limits } = plan;
  const values = [
    String(limits.maxOpenFiles),
    String(Math.max(1, Math.floor(limits.maxFileBytes / 512))),
    String(limits.maxCpuSeconds),
    String(Math.ceil(plan.dataBytes / 1024)),
    plan.processRlimit === undefined ? '-' : String(plan.processRlimit),
    plan.terminator,
  ];
  const command = plan.sandbox
    ? ['1', ...plan.sandbox, '/bin/sh', '-c', INNER, 'taskrun-env', plan.terminator, plan.file, ...plan.args]
    : ['0', plan.file, ...plan.args];
  return { file: '/bin/sh', args: ['-c', WRAPPER, 'taskrun-run', ...values, ...command] };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the runner writes to a run's stdin: the line that lets it start, then its environment as shell
 * assignments (each value single-quoted, byte for byte), then the terminator. A name a shell cannot
 * take is left out (no task variable, secret or parameter can have one).
 */
export function stdinScript(env: NodeJS.ProcessEnv, terminator: string): string {
  const lines = Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && NAME.test(e[0]))
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`);
  return ['go', ...lines, terminator, ''].join('\n');
}

/**
 * The environment of a helper started as a run uid (a check, a clean-up): the runner's own holds an
 * operator's variables, which a process of that uid could read in /proc.
 */
export const HELPER_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

/**
 * setpriv's part of the launcher: the run's uid and gid, no other group, and no new privileges (a
 * setuid program does not make a run root). Its argv ends in `--`, before the wrapper.
 */
export function userSwitch(uid: number): string[] {
  return ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', '--no-new-privs', '--'];
}
