import { open } from '../auth/secret-box';
import type { Run } from '../queries/run-types';
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
