import fs from 'node:fs';
import type { RunLimits } from '../../config';

// Node cannot set a child's rlimits or cgroup between fork and exec, so a run starts as a few lines of
// dash (switched to the run's uid by the launcher before it), in its cgroup before it reads
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
// code into a process running as root. The task's stdin is /dev/null once the wrapper has read it.
// Each line is eval'd as soon as it is read (a value's newlines are written as "$TASKRUN__NL"):
// gathering every line into one script first takes quadratic time in a parameter of many lines.
// The wrapper's own variables are named TASKRUN__*: no task's variable can be named TASKRUN_*.
const NL = "TASKRUN__NL='\n'";
const READ = 'while IFS= read -r TASKRUN__LINE && [ "$TASKRUN__LINE" != "$TASKRUN__END" ]; do eval "$TASKRUN__LINE" || exit 126; done';
// dash (Debian's /bin/sh) spells RLIMIT_NPROC -p; bash, where it is /bin/sh, -u (its -p is a pipe's size).
const SHELL = fs.existsSync('/bin/dash') ? '/bin/dash' : '/bin/sh';
const NPROC = SHELL === '/bin/dash' ? '-p' : '-u';
const WRAPPER = [
  NL,
  'IFS=" " read -r TASKRUN__GO TASKRUN__NOFILE TASKRUN__FSIZE TASKRUN__CPU TASKRUN__DATA TASKRUN__NPROC TASKRUN__END TASKRUN__INNER || exit 126',
  '[ "$TASKRUN__GO" = go ] || exit 126',
  'ulimit -c 0 && ulimit -n "$TASKRUN__NOFILE" && ulimit -f "$TASKRUN__FSIZE" && ulimit -S -t "$TASKRUN__CPU" &&',
  '  ulimit -H -t $(($TASKRUN__CPU + 5)) && ulimit -d "$TASKRUN__DATA" &&',
  `  { [ "$TASKRUN__NPROC" = - ] || ulimit ${NPROC} "$TASKRUN__NPROC"; } ||`,
  '  { echo "taskrun: could not set the run\'s limits" >&2; exit 126; }',
  READ,
  '[ "$TASKRUN__INNER" = 1 ] && exec "$@"',
  READ,
  'exec 0</dev/null',
  'exec "$@"',
].join('\n');
// The shell inside a sandbox that reads the environment and execs the task.
const INNER = [NL, 'TASKRUN__END="$1"; shift', READ, 'exec 0</dev/null', 'exec "$@"'].join('\n');

/** keyctl(2)'s syscall number per architecture. */
export const KEYCTL_NR: Record<string, number | undefined> = { x64: 250, arm64: 219, riscv64: 219, ia32: 288, arm: 311 };

// A process inherits its parent's session keyring, and possesses the keys in it: a runner started by
// systemd (KeyringMode=private) or from a login has one, which every run would share, across uids and
// sandboxes. Before the wrapper, each run joins a new anonymous one of its own (keyctl
// KEYCTL_JOIN_SESSION_KEYRING, 1, with no name). Node has no keyctl, and Perl is in every Debian
// (perl-base is essential): one exec, in a shell started ahead of its run.
const PERL = '/usr/bin/perl';
const OWN_SESSION_KEYRING = (nr: number) => `syscall(${nr}, 1, 0) >= 0 or exit 126; exec { $ARGV[0] } @ARGV; exit 127`;
const keyringStage = (): string[] => {
  const nr = KEYCTL_NR[process.arch];
  return nr !== undefined && fs.existsSync(PERL) ? [PERL, '-e', OWN_SESSION_KEYRING(nr)] : [];
};

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

/**
 * The run's shell and its argv, the same for every run (a run's own part comes on stdin): a session
 * keyring of its own first, where Perl is there to make one (`ownKeyring` says whether).
 */
export function wrapperCommand(): { file: string; args: string[]; ownKeyring: boolean } {
  const stage = keyringStage();
  const shell = [SHELL, '-c', WRAPPER, 'taskrun-run'];
  return stage.length > 0
    ? { file: stage[0]!, args: [...stage.slice(1), ...shell], ownKeyring: true }
    : { file: SHELL, args: shell.slice(1), ownKeyring: false };
}

// Single quotes keep every byte but the quote itself and the newline (a line is one statement).
const quote = (v: string) => `'${v.replace(/'/g, `'\\''`).replace(/\n/g, `'"$TASKRUN__NL"'`)}'`;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the runner writes to a run's stdin: its limits (dash's units: 512-byte blocks, KiB), its
 * command, then its environment as shell assignments (each value single-quoted, byte for byte; a name
 * a shell cannot take is left out: no variable, secret or parameter can have one).
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
    ? [...plan.sandbox, SHELL, '-c', INNER, 'taskrun-env', terminator, plan.file, ...plan.args]
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
  const out: Pick<RunLimits, 'maxOpenFiles' | 'maxProcesses'> = {
    maxOpenFiles: Number.MAX_SAFE_INTEGER,
    maxProcesses: Number.MAX_SAFE_INTEGER,
  };
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return out; // no /proc: what was configured
  }
  const hard = (label: string) => {
    const value = text
      .split('\n')
      .find((l) => l.startsWith(label))
      ?.slice(label.length)
      .trim()
      .split(/\s+/)[1];
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
