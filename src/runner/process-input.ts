import { execFileSync } from 'node:child_process';
import { open } from '../auth/secret-box';
import type { Run } from '../db/schema';
import type { TaskSettings } from '../queries/task-settings';
import { paramsForProcess } from '../tasks/params';

/** What a run's process starts with, and the secret values its log must not show. */
export type ProcessInput = { args: string[]; env: NodeJS.ProcessEnv; secretValues: string[] };

type Sealed = { name: string; sealed: string };

const KEY_HINT = 'it was sealed with another key: SECRET_KEY must be the same for every web and runner process';

function openSecretParams(key: Buffer, sealed: string | null): Record<string, string> {
  if (sealed === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(open(key, sealed));
  } catch {
    throw new Error(`cannot open the run's secret parameters: ${KEY_HINT}`);
  }
  const entries = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  return Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * argv after the script's command, and the environment: the runner's (`base`), then the task's
 * variables, then its secrets, then TASKRUN_PARAM_*, then taskrun's own, each winning over the ones
 * before. Throws, naming what, when a sealed value cannot be opened with `key`.
 */
export function processInput(
  key: Buffer,
  base: NodeJS.ProcessEnv,
  run: Pick<Run, 'id' | 'taskId' | 'params' | 'secretParams'>,
  settings: Pick<TaskSettings, 'params' | 'env'>,
  taskSecrets: Sealed[],
): ProcessInput {
  const secretEnv: Record<string, string> = {};
  for (const s of taskSecrets) {
    try {
      secretEnv[s.name] = open(key, s.sealed);
    } catch {
      throw new Error(`cannot open the secret ${s.name} of task ${run.taskId}: ${KEY_HINT}`);
    }
  }
  const secretParams = openSecretParams(key, run.secretParams);
  const params = paramsForProcess(settings.params, run.params, secretParams);
  return {
    args: params.args,
    env: {
      ...base,
      ...settings.env,
      ...secretEnv,
      ...params.env,
      TASKRUN_RUN_ID: String(run.id),
      TASKRUN_TASK_ID: run.taskId,
      PYTHONUNBUFFERED: '1',
    },
    secretValues: [...Object.values(secretEnv), ...Object.values(secretParams)],
  };
}

// The kernel's limit on one argument or variable (MAX_ARG_STRLEN: 32 pages).
const MAX_ARG_STRLEN = 128 * 1024;
let argMax: number | undefined;
function kernelArgMax(): number {
  if (argMax !== undefined) return argMax;
  try {
    argMax = Number(execFileSync('getconf', ['ARG_MAX'], { encoding: 'utf8', timeout: 5000 }).trim()) || 2 * 1024 * 1024;
  } catch {
    argMax = 2 * 1024 * 1024;
  }
  return argMax;
}

/**
 * Why the kernel would refuse to start a command with these arguments and environment (E2BIG), or
 * undefined. Told before the start: the task is started by a shell that execs it, and a shell whose
 * exec fails can only exit, which would make a run that never started look like one that failed.
 */
export function tooBigToStart(args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const strings = [...args, ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`)];
  const longest = Math.max(0, ...strings.map((s) => Buffer.byteLength(s)));
  // Each string with its NUL, and a pointer to it.
  const total = strings.reduce((n, s) => n + Buffer.byteLength(s) + 1 + 8, 0);
  if (longest >= MAX_ARG_STRLEN)
    return `could not start: an argument or variable is ${longest} bytes, over the kernel's ${MAX_ARG_STRLEN} for one (E2BIG)`;
  if (total > kernelArgMax())
    return `could not start: the arguments and environment are ${total} bytes, over the kernel's ARG_MAX of ${kernelArgMax()} (E2BIG)`;
  return undefined;
}
