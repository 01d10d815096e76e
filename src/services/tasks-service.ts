import { enqueueRun, type EnqueueInput } from '../runs/enqueue';
import { seal } from '../auth/secret-box';
import { z } from 'zod';
import { CREATABLE_LANGUAGES } from '../tasks/languages';
import { checkParams, paramDef } from '../tasks/params';
import { deleteSecretsOf, secretNamesOf } from '../queries/task-secrets';
import { activeRunOf, recentRunsOfTasks } from '../runs/read';
import { liveRunners } from '../queries/runners';
import type { Run } from '../db/schema';
import { deleteTaskSettings, getTaskSettings, saveTaskSettings, type TaskSettings } from '../queries/task-settings';
import { CHANNEL } from '../db/notify';
import { actorName } from '../auth/roles';
import { forgetTaskAutomation } from '../queries/task-automation';
import {
  createTaskFile,
  deleteTaskFile,
  findTaskFile,
  listTaskFiles,
  readTaskContent,
  writeTaskContent,
  type TaskFile,
} from '../tasks/task-files';
import { AppError } from './app-error';
import { audit } from './audit-service';
import { sha256 } from '../auth/secrets';
import type { Who } from './deps';
import type { Deps } from './deps';
import { activeAndLast, logUrl, runSchema } from '../runs/json';
import type { CreateTaskInput, UpdateTaskInput } from './task-input';

/** A task as the API shows it. */
export const taskSchema = z.object({
  id: z.string(),
  file: z.string(),
  language: z.enum([...CREATABLE_LANGUAGES, 'exec']),
  description: z.string(),
  timeout_s: z.number().int(),
  // Resource limits as set on the task; null: the environment's default.
  max_rss_bytes: z.number().int().nullable(),
  max_cpu_pct: z.number().nullable(),
  limit_grace_s: z.number().int().nullable(),
  // How runs are confined, and the limits the kernel enforces (null: the runner's RUN_MAX_* default).
  isolation: z.enum(['standard', 'strict']),
  network: z.boolean(),
  max_processes: z.number().int().nullable(),
  max_memory_bytes: z.number().int().nullable(),
  max_file_bytes: z.number().int().nullable(),
  max_open_files: z.number().int().nullable(),
  max_cpu_seconds: z.number().int().nullable(),
  retry_on_lost: z.boolean(),
  retention_days: z.number().int().nullable(),
  // Declared parameters, plain environment variables, the names (never the values) of its secrets:
  // those only for editors and admins (left out otherwise).
  params: z.array(paramDef),
  env: z.record(z.string(), z.string()),
  secrets: z.array(z.string()).optional(),
  // A run that ends failed, timeout or lost is run again up to max_retries times, retry_delay_s later.
  max_retries: z.number().int(),
  retry_delay_s: z.number().int(),
  active_run: runSchema.nullable(),
  last_run: runSchema.nullable(),
});
export type TaskJson = z.infer<typeof taskSchema>;

/** One task with its script's content. */
export const taskWithContentSchema = taskSchema.extend({ content: z.string() });

/** What a task's answer shows besides its settings: the names of its secrets are for editors and admins. */
export type TaskView = { secrets: boolean };

function taskJson(deps: Deps, file: TaskFile, settings: TaskSettings, recent: Run[], secrets: string[] | undefined): TaskJson {
  return {
    id: file.id,
    file: file.file,
    language: file.language,
    description: settings.description,
    timeout_s: settings.timeoutS ?? deps.cfg.taskTimeoutS,
    max_rss_bytes: settings.maxRssBytes,
    max_cpu_pct: settings.maxCpuPct,
    limit_grace_s: settings.limitGraceS,
    isolation: settings.isolation,
    network: settings.network,
    max_processes: settings.maxProcesses,
    max_memory_bytes: settings.maxMemoryBytes,
    max_file_bytes: settings.maxFileBytes,
    max_open_files: settings.maxOpenFiles,
    max_cpu_seconds: settings.maxCpuSeconds,
    retry_on_lost: settings.retryOnLost,
    retention_days: settings.retentionDays,
    params: settings.params,
    env: settings.env,
    ...(secrets !== undefined && { secrets }),
    max_retries: settings.maxRetries,
    retry_delay_s: settings.retryDelayS,
    ...activeAndLast(recent),
  };
}

// The names of the given tasks' secrets when the view includes them, else undefined (not even read).
const secretNamesFor = async (deps: Deps, ids: string[], view: TaskView) => (view.secrets ? secretNamesOf(deps.db, ids) : undefined);

/** Every script in TASKS_DIR with its settings and its active and last run. */
export async function listTasks(deps: Deps, view: TaskView): Promise<TaskJson[]> {
  const files = await listTaskFiles(deps.cfg.tasksDir);
  const ids = files.map((f) => f.id);
  const [settings, recent, secrets] = await Promise.all([
    getTaskSettings(deps.db, ids),
    recentRunsOfTasks(deps.db, ids),
    secretNamesFor(deps, ids, view),
  ]);
  return files.map((f) => taskJson(deps, f, settings.get(f.id)!, recent.get(f.id) ?? [], secrets && (secrets.get(f.id) ?? [])));
}

/** The script file of a task, or 404. */
export async function requireTask(deps: Deps, id: string): Promise<TaskFile> {
  const file = await findTaskFile(deps.cfg.tasksDir, id);
  if (!file) throw new AppError(404, `task not found: ${id}`);
  return file;
}

/** One task with its script's content. */
export async function getTask(deps: Deps, id: string, view: TaskView): Promise<TaskJson & { content: string }> {
  const file = await requireTask(deps, id);
  const [settings, recent, content, secrets] = await Promise.all([
    getTaskSettings(deps.db, [id]),
    recentRunsOfTasks(deps.db, [id]),
    readTaskContent(deps.cfg.tasksDir, file),
    secretNamesFor(deps, [id], view),
  ]);
  return { ...taskJson(deps, file, settings.get(id)!, recent.get(id) ?? [], secrets && (secrets.get(id) ?? [])), content };
}

/**
 * Refuses isolation settings no run could get: no network without the namespaces of `strict`, and
 * `strict` when the live runners report that none of them can make a bubblewrap sandbox (with no live
 * runner it cannot be known yet: the runner refuses such a run when it claims it).
 */
async function checkIsolation(deps: Deps, isolation: 'standard' | 'strict', network: boolean): Promise<void> {
  if (!network && isolation !== 'strict') {
    throw new AppError(400, 'network: false needs isolation: "strict" (only its namespaces can cut a run off the network)', {
      fields: { network: 'needs isolation strict' },
    });
  }
  if (isolation !== 'strict') return;
  const reports = (await liveRunners(deps.db, deps.cfg.runnerDeadMs)).flatMap((r) => (r.isolation ? [r.isolation] : []));
  if (reports.length === 0 || reports.some((r) => r.levels.includes('strict'))) return;
  const why = reports.flatMap((r) => r.problems).find((p) => /strict|bubblewrap/.test(p)) ?? 'bubblewrap cannot run on any runner';
  throw new AppError(400, `isolation: strict is not available on any runner: ${why}`, { fields: { isolation: why } });
}

// The limits an operator set (RUN_MAX_*) are the most any task may ask for: an editor cannot give a
// task more memory, processes or file size than that. Checked here as the web is configured; each
// runner also holds a task to its own RUN_MAX_*.
const CEILINGS = [
  ['max_processes', 'maxProcesses', 'RUN_MAX_PROCESSES'],
  ['max_memory_bytes', 'maxMemoryBytes', 'RUN_MAX_MEMORY_MB'],
  ['max_file_bytes', 'maxFileBytes', 'RUN_MAX_FILE_MB'],
  ['max_open_files', 'maxOpenFiles', 'RUN_MAX_OPEN_FILES'],
  ['max_cpu_seconds', 'maxCpuSeconds', 'RUN_MAX_CPU_S'],
] as const;

function checkCeilings(deps: Deps, input: Partial<Record<(typeof CEILINGS)[number][0], number | null>>): void {
  const fields: Record<string, string> = {};
  for (const [field, key, variable] of CEILINGS) {
    const value = input[field];
    const most = deps.cfg.runLimits[key];
    if (typeof value === 'number' && value > most) fields[field] = `must be at most ${most} (${variable})`;
  }
  const list = Object.entries(fields).map(([k, v]) => `${k}: ${v}`);
  if (list.length > 0) throw new AppError(400, list.join('; '), { fields });
}

/** Creates a script file and its settings. */
export async function createTask(deps: Deps, input: CreateTaskInput, who: Who): Promise<TaskJson> {
  if (await findTaskFile(deps.cfg.tasksDir, input.id)) throw new AppError(409, `task already exists: ${input.id}`);
  checkCeilings(deps, input);
  await checkIsolation(deps, input.isolation ?? 'standard', input.network ?? true);
  try {
    await createTaskFile(deps.cfg.tasksDir, input.id, input.language, input.content);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError(409, `task already exists: ${input.id}`);
    throw err;
  }
  await saveTaskSettings(deps.db, input.id, {
    description: input.description ?? '',
    timeoutS: input.timeout_s ?? null,
    maxRssBytes: input.max_rss_bytes ?? null,
    maxCpuPct: input.max_cpu_pct ?? null,
    limitGraceS: input.limit_grace_s ?? null,
    isolation: input.isolation ?? 'standard',
    network: input.network ?? true,
    maxProcesses: input.max_processes ?? null,
    maxMemoryBytes: input.max_memory_bytes ?? null,
    maxFileBytes: input.max_file_bytes ?? null,
    maxOpenFiles: input.max_open_files ?? null,
    maxCpuSeconds: input.max_cpu_seconds ?? null,
    retryOnLost: input.retry_on_lost ?? false,
    retentionDays: input.retention_days ?? null,
    params: input.params ?? [],
    env: input.env ?? {},
    maxRetries: input.max_retries ?? 0,
    retryDelayS: input.retry_delay_s ?? 0,
  });
  await audit(deps, who, 'task.create', input.id, { language: input.language, content_sha256: sha256(input.content) });
  // Only editors create and change tasks: their answers name the secrets.
  const { content: _content, ...task } = await getTask(deps, input.id, { secrets: true });
  return task;
}

/** Changes a task's script and settings; the file in TASKS_DIR is replaced atomically. */
export async function updateTask(deps: Deps, id: string, patch: UpdateTaskInput, who: Who): Promise<TaskJson & { content: string }> {
  const file = await requireTask(deps, id);
  checkCeilings(deps, patch);
  if (patch.isolation !== undefined || patch.network !== undefined) {
    const now = (await getTaskSettings(deps.db, [id])).get(id)!;
    await checkIsolation(deps, patch.isolation ?? now.isolation, patch.network ?? now.network);
  }
  const details: Record<string, unknown> = { fields: Object.keys(patch) };
  if (patch.content !== undefined) {
    details.content_sha256_before = sha256(await readTaskContent(deps.cfg.tasksDir, file));
    details.content_sha256_after = sha256(patch.content);
    await writeTaskContent(deps.cfg.tasksDir, file, patch.content);
  }
  const settings = {
    description: patch.description,
    timeoutS: patch.timeout_s,
    maxRssBytes: patch.max_rss_bytes,
    maxCpuPct: patch.max_cpu_pct,
    limitGraceS: patch.limit_grace_s,
    isolation: patch.isolation,
    network: patch.network,
    maxProcesses: patch.max_processes,
    maxMemoryBytes: patch.max_memory_bytes,
    maxFileBytes: patch.max_file_bytes,
    maxOpenFiles: patch.max_open_files,
    maxCpuSeconds: patch.max_cpu_seconds,
    retryOnLost: patch.retry_on_lost,
    retentionDays: patch.retention_days,
    // null restores the default.
    params: patch.params === null ? [] : patch.params,
    env: patch.env === null ? {} : patch.env,
    maxRetries: patch.max_retries === null ? 0 : patch.max_retries,
    retryDelayS: patch.retry_delay_s === null ? 0 : patch.retry_delay_s,
  };
  if (Object.values(settings).some((v) => v !== undefined)) await saveTaskSettings(deps.db, id, settings);
  await audit(deps, who, 'task.edit', id, details);
  return getTask(deps, id, { secrets: true });
}

/** Deletes a task's script and settings; its runs stay in the history. Refused while a run is active. */
export async function deleteTask(deps: Deps, id: string, who: Who): Promise<void> {
  const file = await requireTask(deps, id);
  const active = await activeRunOf(deps.db, id);
  if (active) throw new AppError(409, 'task has an active run', { run_id: active.id });
  const before = sha256(await readTaskContent(deps.cfg.tasksDir, file).catch(() => ''));
  await deleteTaskFile(deps.cfg.tasksDir, file);
  await deleteTaskSettings(deps.db, id);
  await deleteSecretsOf(deps.db, id);
  await forgetTaskAutomation(deps.db, id);
  deps.notify(CHANNEL.schedules);
  await audit(deps, who, 'task.delete', id, { content_sha256_before: before });
}

/** What an accepted execute answers: the queued run and the API path of its log. */
export const executeSchema = z.object({ run_id: z.number().int(), task_id: z.string(), status: z.literal('queued'), log: z.string() });
export type ExecuteJson = z.infer<typeof executeSchema>;

/**
 * What a new run of a task is queued with: 404 unknown task; 400 with `fields` naming each bad parameter.
 * Secret parameter values are sealed; they are kept only until the run ends.
 */
export async function prepareRun(deps: Deps, id: string, trigger: string, params: unknown): Promise<EnqueueInput> {
  // The file and the settings are independent look-ups: one wait instead of two before the enqueue.
  const [, settingsById] = await Promise.all([requireTask(deps, id), getTaskSettings(deps.db, [id])]);
  const settings = settingsById.get(id)!;
  const checked = checkParams(settings.params, params);
  if ('errors' in checked) {
    const list = Object.entries(checked.errors).map(([k, v]) => `${k} ${v}`);
    throw new AppError(400, `invalid parameters: ${list.join('; ')}`, { fields: checked.errors });
  }
  return {
    taskId: id,
    timeoutS: settings.timeoutS ?? deps.cfg.taskTimeoutS,
    trigger,
    maxQueued: deps.cfg.maxQueuedRuns,
    runnerDeadS: deps.cfg.runnerDeadMs / 1000,
    params: checked.values,
    sealedSecrets: Object.keys(checked.secrets).length > 0 ? seal(deps.secretKey, JSON.stringify(checked.secrets)) : null,
    maxAttempts: 1 + settings.maxRetries,
  };
}

/**
 * Queues a run of a task with parameter values (`params`, checked against the task's declared
 * parameters): 404 unknown task, 400 bad parameters, 409 a run is active, 429 queue full.
 */
export async function executeTask(
  deps: Deps,
  id: string,
  trigger = 'api',
  who: Who,
  params?: unknown,
  auditDetails: Record<string, unknown> = {},
): Promise<ExecuteJson> {
  const input = await prepareRun(deps, id, trigger, params);
  // One statement: the run, its audit row, and (from triggers) the runners' wake-up and the status NOTIFY.
  const result = await enqueueRun(deps.db, { ...input, audit: { actor: actorName(who.principal), ip: who.ip, details: auditDetails } });
  if (result.outcome === 'active') throw new AppError(409, 'task already running', { run_id: result.runId });
  if (result.outcome === 'full') throw new AppError(429, 'queue full');
  return { run_id: result.runId, task_id: id, status: 'queued', log: logUrl({ taskId: id, id: result.runId }) };
}
