import fs from 'node:fs';
import type { RunLimits } from '../../config';

// Node cannot set a child's rlimits or cgroup between fork and exec, so a run starts as a few lines of
// /bin/sh (switched to the run's uid by the launcher before it), in its cgroup before it reads
// anything: everything about the run comes on its stdin. First a line with the run's limits, which it
// sets; then its command as a shell script (`set -- 'file' 'arg' ...`) up to a terminator line; then
// it execs that command in its place: the task keeps the shell's pid, process group and limits, and
// starts nothing outside. So the shell can be started ahead of its run (the cgroup move, which can
// wait for the kernel for 20 ms, then costs the run nothing), and every run starts the same way.
//
// The run's environment (its variables, secrets, parameters) follows, as `export NAME='value'` lines
// up to the terminator again, read by the last shell before the task (inside the sandbox, at strict).
// Everything before it (the launcher, which runs as root; bubblewrap) starts with an empty
// environment: a variable such as LD_PRELOAD in a task's settings would otherwise load an editor's
// code into a process running as root. stdin is /dev/null for the task, as it always was.
const READ = [
  's=""',
  'while IFS= read -r line; do [ "$line" = "$end" ] && break; s="$s$line',
  '"; done',
  'eval "$s" || exit 126',
].join('\n');
const WRAPPER = [
  'IFS=" " read -r go nofile fsize cpu data nproc end inner || exit 126',
  '[ "$go" = go ] || exit 126',
  'ulimit -c 0 && ulimit -n "$nofile" && ulimit -f "$fsize" && ulimit -S -t "$cpu" && ulimit -H -t $(($cpu + 5)) && ulimit -d "$data" &&',
  '  { [ "$nproc" = - ] || ulimit -p "$nproc"; } ||',
  '  { echo "taskrun: could not set the run\'s limits" >&2; exit 126; }',
  READ,
  '[ "$inner" = 1 ] && exec "$@"',
  READ,
  'exec 0</dev/null',
  'exec "$@"',
].join('\n');
// The shell inside a sandbox that reads the environment and execs the task.
const INNER = ['end="$1"; shift', READ, 'exec 0</dev/null', 'exec "$@"'].join('\n');

/** What a run starts with, all of it sent on its stdin. */
export type LaunchPlan = {
  /** The task's command: interpreter, script and parameters. */
  file: string;
  args: string[];
  /** bwrap and its arguments (ending in `--`) when the run has a sandbox. */
  sandbox: string[] | undefined;
  /** The line that ends the command and the environment on stdin. */
  terminator: string;
  limits: RunLimits;
  /** RLIMIT_DATA, in bytes (the memory limit, or more when a cgroup holds the run's memory). */
  dataBytes: number;
  /** RLIMIT_NPROC: it counts every process of the uid, so it is set only when the uid is the run's alone. */
  processRlimit: number | undefined;
  env: NodeJS.ProcessEnv;
};

/** The shell and its argv: the same for every run (a run's own part comes on stdin). */
export const WRAPPER_COMMAND = { file: '/bin/sh', args: ['-c', WRAPPER, 'taskrun-run'] };

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the runner writes to a run's stdin: its limits (dash's units: 512-byte blocks, KiB; -p is
 * RLIMIT_NPROC), its command, then its environment as shell assignments (each value single-quoted,
 * byte for byte; a name a shell cannot take is left out: no variable, secret or parameter can have one).
 */
export function stdinScript(plan: LaunchPlan): string {
  const { limits, terminator } = plan;
  const header = [
    'go',
    String(limits.maxOpenFiles),
    String(Math.max(1, Math.floor(limits.maxFileBytes / 512))),
    String(limits.maxCpuSeconds),
    String(Math.ceil(plan.dataBytes / 1024)),
    plan.processRlimit === undefined ? '-' : String(plan.processRlimit),
    terminator,
    plan.sandbox ? '1' : '0',
  ].join(' ');
  const command = plan.sandbox
    ? [...plan.sandbox, '/bin/sh', '-c', INNER, 'taskrun-env', terminator, plan.file, ...plan.args]
    : [plan.file, ...plan.args];
  const exports = Object.entries(plan.env)
    .filter((e): e is [string, string] => e[1] !== undefined && NAME.test(e[0]))
    .map(([k, v]) => `export ${k}=${quote(v)}`);
  return [header, `set -- ${command.map(quote).join(' ')}`, terminator, ...exports, terminator, ''].join('\n');
}

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
