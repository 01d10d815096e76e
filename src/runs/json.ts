import fs from 'node:fs/promises';
import { z } from 'zod';
import { ACTIVE_STATUSES, RUN_STATUSES } from '../db/schema';
import type { Run } from '../db/schema';
import { logName, logPath } from '../logs';
import { progressJson } from './progress';
import type { Deps } from '../services/deps';

/** The latest `::progress` line of a run's output, with the estimated seconds left while it runs. */
export const progressSchema = z.object({
  percent: z.number(),
  message: z.string().nullable(),
  at: z.string(),
  eta_s: z.number().nullable(),
});

/** The parameter values a run was given (secret parameters are never kept). */
export const paramValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A run as the API shows it. */
export const runSchema = z.object({
  run_id: z.number().int(),
  task_id: z.string(),
  status: z.enum(RUN_STATUSES),
  trigger: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  log: z.string(),
  log_bytes: z.number().int(),
  // What the run's process tree used (null: not measured); updated every few seconds while it runs.
  peak_rss_bytes: z.number().nullable(),
  cpu_seconds: z.number().nullable(),
  // The parameter values it runs with (secret parameters are never kept).
  params: paramValuesSchema,
  // attempt of max_attempts; a retry names the run it retries and may wait in the queue until not_before.
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  retry_of: z.number().int().nullable(),
  not_before: z.string().nullable(),
  // The latest `::progress` line of its output (null: none yet), with the estimated time left while it runs.
  progress: progressSchema.nullable(),
});
export type RunJson = z.infer<typeof runSchema>;

/** The API path of a run's log. */
export function logUrl(run: Pick<Run, 'taskId' | 'id'>): string {
  return `/api/logs/${logName(run.taskId, run.id)}`;
}

/** Shapes a run row for the API; `liveBytes` is the log's current size while the run is running. */
export function runJson(run: Run, liveBytes?: number): RunJson {
  const end = run.finishedAt ?? (run.status === 'running' ? new Date() : null);
  return {
    run_id: run.id,
    task_id: run.taskId,
    status: run.status,
    trigger: run.trigger,
    exit_code: run.exitCode,
    signal: run.signal,
    error: run.error,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
    duration_ms: run.startedAt && end ? Math.max(0, end.getTime() - run.startedAt.getTime()) : null,
    log: logUrl(run),
    log_bytes: liveBytes ?? run.logBytes,
    peak_rss_bytes: run.peakRssBytes,
    cpu_seconds: run.cpuSeconds === null ? null : Math.round(run.cpuSeconds * 100) / 100,
    params: run.params,
    attempt: run.attempt,
    max_attempts: run.maxAttempts,
    retry_of: run.retryOf,
    not_before: run.notBefore?.toISOString() ?? null,
    progress: progressJson(run),
  };
}

/** The size of a run's log file now (0 when it has none yet). */
export async function currentLogBytes(deps: Deps, run: Pick<Run, 'taskId' | 'id'>): Promise<number> {
  return fs.stat(logPath(deps.cfg.logsDir, run.taskId, run.id)).then(
    (s) => s.size,
    () => 0,
  );
}

/** A run as the API shows it, with the live log size for a running run. */
export async function runJsonLive(deps: Deps, run: Run): Promise<RunJson> {
  return runJson(run, run.status === 'running' ? await currentLogBytes(deps, run) : undefined);
}

/**
 * A task's active run and its last ended one, from its newest runs (newest first): the newest is the
 * active one while it is queued or running, and the last ended one is then the one before.
 */
export function activeAndLast(recent: Run[]): { active_run: RunJson | null; last_run: RunJson | null } {
  const [newest, previous] = recent;
  const active = newest && ACTIVE_STATUSES.includes(newest.status) ? newest : undefined;
  const last = active ? previous : newest;
  return { active_run: active ? runJson(active) : null, last_run: last ? runJson(last) : null };
}
