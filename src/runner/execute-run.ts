import { execa } from 'execa';
import { setRunPid } from '../queries/runs-claim';
import type { Run } from '../queries/run-types';
import type { RunEnd } from '../queries/runs-finish';
import type { ClaimedRun } from '../queries/runs-claim';
import { logPath } from '../runs/log-path';
import { findTaskFile } from '../tasks/task-files';
import type { RunnerContext } from './context';
import { commandFor, notRunnable } from './interpreters';
import { LogCap, openLogFile, pumpToLog, writeLineAndClose, type LogFile } from './log-writer';
import { openOutputChannel } from './output-socket';
import { processInput, type ProcessInput } from './process-input';
import { ProgressFilter } from './progress-filter';
import { createProgressRecorder } from './progress-recorder';
import { maskPatterns, maskText, SecretMask } from './secret-mask';
import { terminateGroup } from './terminate';
import { withTimeout } from '../timing';

/** Why taskrun stopped a run before it ended by itself; 'limit' (a resource limit) comes with a detail saying which. */
export type StopReason = 'canceled' | 'timeout' | 'lost' | 'shutdown' | 'log-failed' | 'limit';

/** A run in progress: stop it, or wait for how it ended. */
export type RunHandle = { run: Run; stop: (reason: StopReason, detail?: string) => void; ended: Promise<RunEnd> };

const PROGRESS_FLUSH_MS = 3000;

/**
 * Starts a claimed run: spawn its script in a new process group and stream its output to its log file.
 * `onStarted` learns the process group once it exists (the resource sampler watches it).
 */
export function startRun(ctx: RunnerContext, run: ClaimedRun, onStarted?: (pgid: number) => void): RunHandle {
  let reason: StopReason | undefined;
  let pgid: number | undefined;
  // A stop's detail (which resource limit) becomes the run's error and a line in its log.
  let detail: string | undefined;
  let logNote: ((line: string) => void) | undefined;
  const stop = (why: StopReason, whyDetail?: string) => {
    if (reason) return;
    reason = why;
    detail = whyDetail;
    if (detail) logNote?.(`${detail}: stopping the run`);
    if (pgid) void terminateGroup(pgid, ctx.cfg.killGraceMs);
  };
  const ended = execute(ctx, run, {
    started: (pid, note) => {
      pgid = pid;
      logNote = note;
      if (reason) void terminateGroup(pid, ctx.cfg.killGraceMs);
      else onStarted?.(pid);
    },
    stop,
    reason: () => reason,
    detail: () => detail,
  });
  return { run, stop, ended };
}

type Hooks = {
  started: (pid: number, logNote: (line: string) => void) => void;
  stop: (why: StopReason) => void;
  reason: () => StopReason | undefined;
  detail: () => string | undefined;
};

async function execute(ctx: RunnerContext, run: ClaimedRun, hooks: Hooks): Promise<RunEnd> {
  const { cfg } = ctx;
  // The log file and the script are looked up at once: both stand between the claim and the spawn.
  const [opened, task] = await Promise.all([
    openLogFile(logPath(cfg.logsDir, run.taskId, run.id)).catch((err: Error) => err),
    findTaskFile(cfg.tasksDir, run.taskId),
  ]);
  if (opened instanceof Error) return failed(`cannot write the log file: ${opened.message}`, 0);
  const out: LogFile = opened;
  if (!task) return failed(`the script of task "${run.taskId}" is not in TASKS_DIR any more`, await writeLineAndClose(out, 'script not found'));
  const cmd = commandFor(task, cfg.tasksDir, ctx.interpreters);
  if ('error' in cmd) return failed(cmd.error, await writeLineAndClose(out, cmd.error));
  const unrunnable = task.language === 'exec' ? await notRunnable(cmd.file) : undefined;
  if (unrunnable) return failed(unrunnable, await writeLineAndClose(out, unrunnable));
  if (hooks.reason()) return { ...ended(hooks.reason(), null, null, run.timeoutS), logBytes: await writeLineAndClose(out, 'stopped before it started') };
  const prepared = prepare(ctx, run);
  if ('error' in prepared) return failed(prepared.error, await writeLineAndClose(out, prepared.error));
  const { input } = prepared;

  const cap = new LogCap(cfg.logMaxBytes);
  const secrets = maskPatterns(input.secretValues);
  const progress = createProgressRecorder(ctx, run);
  // `::progress` lines leave the output first; then secret values become *** (also in progress messages).
  const filter = new ProgressFilter((p) => progress.report(p.message ? { ...p, message: maskText(p.message, secrets) } : p));
  // A run without secrets skips the masking stage: the common case stays one native search per chunk.
  const stages = secrets.length > 0 ? [filter, new SecretMask(secrets), cap] : [filter, cap];
  const log = pumpToLog(stages, out);
  const channel = await openOutputChannel(log).catch((err: Error) => err);
  if (channel instanceof Error) {
    const why = `could not set up the run's output: ${channel.message}`;
    return failed(why, await writeLineAndClose(out, why));
  }

  // Never through a shell: parameter values are argv entries and environment values, taken literally.
  const child = execa(cmd.file, [...cmd.args, ...input.args], {
    cwd: cfg.tasksDir,
    env: input.env,
    extendEnv: false,
    detached: true, // its own process group, so a stop reaches grandchildren too
    stdin: 'ignore',
    // One socket for both, so the log has their lines in the order they were written.
    stdout: channel.childEnd,
    stderr: channel.childEnd,
    buffer: false,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  // The child holds its own copies now: the output ends when the last of them closes.
  channel.childEnd.destroy();
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
    setRunPid(ctx.db, run.id, child.pid).catch((err) => ctx.log.warn({ err, run_id: run.id }, 'could not record pid'));
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
      return failed(why, cap.bytes);
    }
  }
  const { code, signal } = first ?? (await exited);
  // Whatever the leader left behind in its group ends with it.
  if (child.pid) await terminateGroup(child.pid, cfg.killGraceMs);
  // A process that escaped the group may still hold the socket; do not wait on it forever.
  await withTimeout(logging, 2000, 'output still open').catch(channel.cut);
  await logging;
  await child;
  // The last report is stored before the end is; a database that does not answer must not hold the run.
  await withTimeout(progress.flush(), PROGRESS_FLUSH_MS, 'storing the last progress timed out').catch(() => {});
  if (logError) return { status: 'error', exitCode: code, signal, error: `writing the log failed: ${logError.message}`, logBytes: cap.bytes };
  return { ...ended(hooks.reason(), code, signal, run.timeoutS, hooks.detail()), logBytes: cap.bytes };
}

function ended(reason: StopReason | undefined, code: number | null, signal: string | null, timeoutS: number, detail?: string): Omit<RunEnd, 'logBytes'> {
  switch (reason) {
    case 'limit':
      return { status: 'failed', exitCode: code, signal, error: detail ?? 'stopped: over a resource limit' };
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
    default:
      return { status: code === 0 ? 'success' : 'failed', exitCode: code, signal, error: null };
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
