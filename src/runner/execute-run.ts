import path from 'node:path';
import { setRunPid } from '../runs/claim';
import type { Run } from '../db/schema';
import type { RunEnd } from '../runs/finish';
import type { ClaimedRun } from '../runs/claim';
import { LogCap, logPath, pumpToLog, writeLineAndClose, type LogFile } from '../logs';
import { findTaskFile, scriptPath } from '../tasks/task-files';
import type { RunnerContext } from './context';
import { commandFor, notRunnable, scriptProblem } from './interpreters';
import type { Lease } from './isolation/leases';
import { openSandbox, type Sandbox } from './isolation/run-sandbox';
import { formatLimitBytes } from './resources/limits';
import type { Watched } from './resources/sampler';
import { spawnLauncher, type Prepared } from './isolation/prepared';
import { processInput, tooBigToStart, type ProcessInput } from './process-input';
import { ProgressFilter } from './progress-filter';
import { createProgressRecorder } from './progress-recorder';
import { maskPatterns, maskText, SecretMask } from './secret-mask';
import { terminateGroup } from './terminate';
import { withTimeout } from '../timing';

/** Why taskrun stopped a run before it ended by itself; 'limit' (a resource limit) comes with a detail saying which. */
export type StopReason = 'canceled' | 'timeout' | 'lost' | 'shutdown' | 'log-failed' | 'limit';

/**
 * A run in progress: stop it (`now`: no grace), wait for how it ended, then `cleanUp` its scratch
 * folder, files, cgroup and uid (after the end is recorded: none of that is the run's outcome).
 */
export type RunHandle = {
  run: Run;
  stop: (reason: StopReason, detail?: string, now?: boolean) => void;
  ended: Promise<RunEnd>;
  /** Answers whether the run's uid is clean (false: something of the run is left; never reuse it). */
  cleanUp: () => Promise<boolean>;
};

const PROGRESS_FLUSH_MS = 3000;

/**
 * Starts a claimed run: spawn its script in its sandbox (as the leased uid `lease` when taskrun is
 * root) and stream its output to its log file. `onStarted` learns how to find the run's processes once
 * they exist (the resource sampler watches them).
 */
export function startRun(
  ctx: RunnerContext,
  run: ClaimedRun,
  lease: Lease | undefined,
  prepared: Prepared | undefined,
  onStarted?: (watch: Watched) => void,
): RunHandle {
  let reason: StopReason | undefined;
  let pgid: number | undefined;
  let box: Sandbox | undefined;
  // A stop's detail (which resource limit) becomes the run's error and a line in its log.
  let detail: string | undefined;
  let logNote: ((line: string) => void) | undefined;
  const halt = (graceMs: number) => {
    if (pgid) void terminateGroup(pgid, graceMs);
    void box?.endAll(graceMs);
  };
  const stop = (why: StopReason, whyDetail?: string, now = false) => {
    if (reason) return;
    reason = why;
    detail = whyDetail;
    if (detail) logNote?.(`${detail}: stopping the run`);
    halt(now ? 0 : ctx.cfg.killGraceMs);
  };
  const ended = execute(ctx, run, lease, prepared, {
    sandbox: (b) => (box = b),
    started: (pid, note) => {
      pgid = pid;
      logNote = note;
      if (reason) halt(ctx.cfg.killGraceMs);
      else onStarted?.({ pgid: pid, members: box?.members, maxProcesses: box?.limits.maxProcesses, forkRefusals: box?.forkRefusals });
    },
    stop,
    reason: () => reason,
    detail: () => detail,
  });
  // A shell started ahead for this run and not used (the run ended before it started) goes unused.
  void ended.finally(() => {
    if (prepared && prepared.child.exitCode === null && prepared.child.signalCode === null && pgid !== prepared.child.pid)
      void prepared.discard();
  });
  let cleaning: Promise<boolean> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      const failed = await ended.then(
        (end) => end.status !== 'success',
        () => true,
      );
      if (!box) return true;
      const { kept, clean, left } = await box.close(failed);
      if (kept)
        ctx.log.info({ run_id: run.id, workdir: kept, keep_s: ctx.cfg.keepFailedWorkdirMs / 1000 }, "kept the failed run's working folder");
      if (!clean) ctx.log.error({ run_id: run.id, uid: box.uid, left }, 'a run left what could not be removed; its uid is retired');
      return clean;
    })());
  return { run, stop, ended, cleanUp };
}

type Hooks = {
  sandbox: (box: Sandbox) => void;
  started: (pid: number, logNote: (line: string) => void) => void;
  stop: (why: StopReason, detail?: string, now?: boolean) => void;
  reason: () => StopReason | undefined;
  detail: () => string | undefined;
};

async function execute(
  ctx: RunnerContext,
  run: ClaimedRun,
  lease: Lease | undefined,
  prepared: Prepared | undefined,
  hooks: Hooks,
): Promise<RunEnd> {
  const { cfg } = ctx;
  // The log file and the script are looked up at once: both stand between the claim and the spawn.
  const [opened, task] = await Promise.all([
    ctx.logFiles.open(logPath(cfg.logsDir, run.taskId, run.id)).catch((err: Error) => err),
    findTaskFile(cfg.tasksDir, run.taskId),
  ]);
  if (opened instanceof Error) return failed(`cannot write the log file: ${opened.message}`, 0);
  const out: LogFile = opened;
  if (!task)
    return failed(`the script of task "${run.taskId}" is not in TASKS_DIR any more`, await writeLineAndClose(out, 'script not found'));
  const cmd = commandFor(task, cfg.tasksDir, ctx.interpreters);
  if ('error' in cmd) return failed(cmd.error, await writeLineAndClose(out, cmd.error));
  const script = path.join(cfg.tasksDir, task.file);
  const unrunnable =
    ctx.isolation.refusal ??
    ((await scriptPath(cfg.tasksDir, task)) ? undefined : `the script ${task.file} is a link that leads out of TASKS_DIR`) ??
    refusedLevel(ctx, run) ??
    (task.language === 'exec' ? await notRunnable(cmd.file) : undefined) ??
    (lease ? await scriptProblem(script, task.language === 'exec') : undefined);
  if (unrunnable) return failed(unrunnable, await writeLineAndClose(out, unrunnable));
  if (hooks.reason())
    return { ...ended(hooks.reason(), null, null, run.timeoutS), logBytes: await writeLineAndClose(out, 'stopped before it started') };
  const inputs = prepare(ctx, run);
  if ('error' in inputs) return failed(inputs.error, await writeLineAndClose(out, inputs.error));
  const { input } = inputs;
  const tooBig = tooBigToStart([...cmd.args, ...input.args], input.env);
  if (tooBig) return failed(tooBig, await writeLineAndClose(out, tooBig));
  const box = await openSandbox(ctx.isolation, cfg, { id: run.id, script }, run.settings, lease).catch((err: Error) => err);
  if (box instanceof Error) {
    const why = `could not prepare the run's sandbox: ${box.message}`;
    return failed(why, await writeLineAndClose(out, why));
  }
  hooks.sandbox(box);

  const cap = new LogCap(cfg.logMaxBytes);
  const secrets = maskPatterns(input.secretValues);
  const progress = createProgressRecorder(ctx, run);
  // `::progress` lines leave the output first; then secret values become *** (also in progress messages).
  const filter = new ProgressFilter((p) => progress.report(p.message ? { ...p, message: maskText(p.message, secrets) } : p));
  // A run without secrets skips the masking stage: the common case stays one native search per chunk.
  const stages = secrets.length > 0 ? [filter, new SecretMask(secrets), cap] : [filter, cap];
  const log = pumpToLog(stages, out);
  // The shell started ahead for this uid, if it is there and ready; else one started now.
  const ready =
    prepared && prepared.child.exitCode === null && (await prepared.joined) && prepared.child.exitCode === null ? prepared : undefined;
  if (prepared && !ready) void prepared.discard();
  const channel = ready ? ready.channel : await ctx.outputSockets.open().catch((err: Error) => err);
  if (channel instanceof Error) {
    const why = `could not set up the run's output: ${channel.message}`;
    return failed(why, await writeLineAndClose(out, why));
  }
  channel.bind(log);
  const child = ready ? ready.child : spawnLauncher(box.spawn, channel);
  let logError: Error | undefined;
  const logging = log.done.catch((err: Error) => {
    logError ??= err;
    channel.cut();
    hooks.stop('log-failed');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  if (child.pid) {
    // A line of taskrun's own in the log, between the task's output, while the log is still open.
    hooks.started(child.pid, log.note);
    // Outside its cgroup it would run without the limits the cgroup holds: then it never gets to run.
    // Parameter values are argv entries and environment values, taken literally: the wrapper gets
    // them single-quoted, byte for byte, and execs them (src/runner/isolation/launch.ts).
    box
      .started(child.pid, child.stdin!, cmd.file, [...cmd.args, ...input.args], input.env, ready !== undefined)
      .catch((err: Error) => hooks.stop('limit', `could not move the run into its cgroup: ${err.message}`, true));
    setRunPid(ctx.db, run.id, child.pid, box.uid).catch((err) => ctx.log.warn({ err, run_id: run.id }, 'could not record pid'));
  }
  const timer = setTimeout(() => hooks.stop('timeout'), run.timeoutS * 1000);
  const first = await Promise.race([exited, child.then(() => null)]);
  clearTimeout(timer);

  if (first === null) {
    const result = await child;
    if (result.exitCode === undefined && result.signal === undefined) {
      const why = `could not start: ${result.originalMessage || result.shortMessage}`;
      channel.cut();
      await logging;
      await log.close(why).catch((err: Error) => ctx.log.warn({ err, run_id: run.id }, "could not close the run's log"));
      return failed(why, cap.bytes);
    }
  }
  const { code, signal } = first ?? (await exited);
  // Whatever the leader left behind ends with it: its group, and every process of the run's uid or
  // cgroup (`setsid`, double forks and `nohup` leave the group, not the uid).
  await Promise.all([child.pid ? terminateGroup(child.pid, cfg.killGraceMs) : undefined, box.endAll(cfg.killGraceMs)]);
  // A process that escaped the group may still hold the socket; do not wait on it forever.
  await withTimeout(logging, 2000, 'output still open').catch(channel.cut);
  await logging;
  await child;
  // The last report is stored before the end is; a database that does not answer must not hold the run.
  await withTimeout(progress.flush(), PROGRESS_FLUSH_MS, 'storing the last progress timed out').catch(() => undefined);
  const kernel = hooks.detail() ? undefined : kernelReason(box, signal);
  await log.close(kernel).catch((err: Error) => (logError ??= err));
  if (logError)
    return { status: 'error', exitCode: code, signal, error: `writing the log failed: ${logError.message}`, logBytes: cap.bytes };
  return { ...ended(hooks.reason(), code, signal, run.timeoutS, hooks.detail() ?? kernel), logBytes: cap.bytes };
}

// Why the kernel stopped a run at one of its limits, when it did: a cgroup's OOM kill, or the signal of
// an rlimit (a program may instead see ENOMEM or EFBIG and say so itself, in its log).
function kernelReason(box: Sandbox, signal: string | null): string | undefined {
  const { limits } = box;
  if (box.events().oomKills > 0)
    return `out of memory: the run reached its memory limit of ${formatLimitBytes(limits.maxMemoryBytes)} (max_memory_bytes) and the kernel killed it`;
  if (signal === 'SIGXFSZ') return `file size limit: a file reached ${formatLimitBytes(limits.maxFileBytes)} (max_file_bytes)`;
  if (signal === 'SIGXCPU') return `CPU time limit: a process used ${limits.maxCpuSeconds} s of CPU (max_cpu_seconds)`;
  return undefined;
}

// A run may ask for more than this runner can give: never run it weaker than asked.
function refusedLevel(ctx: RunnerContext, run: ClaimedRun): string | undefined {
  if (run.settings.isolation !== 'strict' || ctx.isolation.bubblewrap.available) return undefined;
  return `the task asks for strict isolation, which this runner cannot give: ${ctx.isolation.bubblewrap.reason ?? 'bubblewrap is unavailable'}`;
}

function ended(
  reason: StopReason | undefined,
  code: number | null,
  signal: string | null,
  timeoutS: number,
  detail?: string,
): Omit<RunEnd, 'logBytes'> {
  switch (reason) {
    case 'limit':
      return { status: 'failed', exitCode: code, signal, error: detail ?? 'stopped: over a resource limit' };
    case undefined:
      // The kernel's own stop at a limit (`detail`) is the reason of a run that did not succeed.
      return { status: code === 0 ? 'success' : 'failed', exitCode: code, signal, error: code === 0 ? null : (detail ?? null) };
    case 'timeout':
      return { status: 'timeout', exitCode: code, signal, error: `timed out after ${timeoutS} s` };
    case 'canceled':
      return { status: 'canceled', exitCode: code, signal, error: 'canceled' };
    case 'shutdown':
      return { status: 'canceled', exitCode: code, signal, error: 'canceled: the runner shut down' };
    case 'log-failed':
      return { status: 'error', exitCode: code, signal, error: 'writing the log failed' };
    case 'lost':
      return { status: 'lost', exitCode: code, signal, error: 'stopped: the runner lost the database' };
  }
}

// The process's argv and environment, or why the run cannot start. The task's settings and sealed
// secrets came with the claim (one statement), not from queries of their own.
function prepare(ctx: RunnerContext, run: ClaimedRun): { input: ProcessInput } | { error: string } {
  try {
    return { input: processInput(ctx.secretKey, ctx.taskEnv, run, run.settings, run.secrets) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function failed(error: string, logBytes: number): RunEnd {
  return { status: 'error', exitCode: null, signal: null, error, logBytes };
}
