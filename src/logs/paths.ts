import path from 'node:path';

/** The log file name of a run: `{task_id}_{run_id}.log`. */
export function logName(taskId: string, runId: number): string {
  return `${taskId}_${runId}.log`;
}

/** The log file of a run, built from the database's values, never from a client's string. */
export function logPath(logsDir: string, taskId: string, runId: number): string {
  return path.join(logsDir, logName(taskId, runId));
}

const LOG_NAME_RE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})_([1-9][0-9]{0,14})\.log$/;

/** Splits a log name into task id and run id, or undefined when it has another shape. */
export function parseLogName(name: string): { taskId: string; runId: number } | undefined {
  const m = LOG_NAME_RE.exec(name);
  return m ? { taskId: m[1], runId: Number(m[2]) } : undefined;
}
