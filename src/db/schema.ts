import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ParamDef, ParamValues } from '../tasks/params';

// Postgres is the only store of state; scripts and logs are files. Generated migrations live in drizzle/.

export const RUN_STATUSES = ['queued', 'running', 'success', 'failed', 'timeout', 'canceled', 'error', 'lost'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];

/** Settings of a task that are not its script; a row exists only once something was set. */
export const tasks = pgTable('tasks', {
  id: text('id').primaryKey(),
  description: text('description').notNull().default(''),
  timeoutS: integer('timeout_s'),
  // A run lost with its runner is queued again, once.
  retryOnLost: boolean('retry_on_lost').notNull().default(false),
  // Null: RUN_RETENTION_DAYS.
  retentionDays: integer('retention_days'),
  // Resource limits; null: the defaults from the environment.
  maxRssBytes: bigint('max_rss_bytes', { mode: 'number' }),
  maxCpuPct: real('max_cpu_pct'),
  limitGraceS: integer('limit_grace_s'),
  // How runs are confined: 'standard' (a run uid, a scratch folder, kernel limits) or 'strict' (plus
  // namespaces: read-only system, private /tmp, no other processes, and no network when network is false).
  isolation: text('isolation').$type<'standard' | 'strict'>().notNull().default('standard'),
  network: boolean('network').notNull().default(true),
  // Limits the kernel enforces; null: RUN_MAX_PROCESSES, RUN_MAX_MEMORY_MB, ... of the runner.
  maxProcesses: integer('max_processes'),
  maxMemoryBytes: bigint('max_memory_bytes', { mode: 'number' }),
  maxFileBytes: bigint('max_file_bytes', { mode: 'number' }),
  maxOpenFiles: integer('max_open_files'),
  maxCpuSeconds: integer('max_cpu_seconds'),
  // Typed parameters a run is started with (the Run form is built from them).
  params: jsonb('params').$type<ParamDef[]>().notNull().default([]),
  // Plain environment variables of every run; secrets are in task_secrets.
  env: jsonb('env').$type<Record<string, string>>().notNull().default({}),
  // A run that ends failed, timeout or lost is run again up to max_retries times, retry_delay_s later.
  maxRetries: integer('max_retries').notNull().default(0),
  retryDelayS: integer('retry_delay_s').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What a runner can enforce, as it reports it when it registers (and `/api/system/info` shows). */
export type RunnerIsolation = {
  levels: ('standard' | 'strict')[];
  cgroup: 'v2' | 'v1' | 'none';
  bubblewrap: boolean;
  /** Runs switch to leased unprivileged uids (the runner runs as root). */
  run_users: boolean;
  /** What keeps runs from starting, or a level or a limit from being enforced. */
  problems: string[];
};

/** The queue and the history in one table: a run is a row from `queued` to its end. */
export const runs = pgTable(
  'runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: text('task_id').notNull(),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    trigger: text('trigger').notNull().default('api'),
    timeoutS: integer('timeout_s').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    exitCode: integer('exit_code'),
    signal: text('signal'),
    error: text('error'),
    runnerId: text('runner_id'),
    host: text('host'),
    bootId: text('boot_id'),
    pid: integer('pid'),
    // The uid the run's processes ran as (a leased run uid), when taskrun switched users.
    runUid: integer('run_uid'),
    // Set when a run is marked lost; cleared by a runner on the same host once it killed what was left.
    needsReap: boolean('needs_reap').notNull().default(false),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    logBytes: bigint('log_bytes', { mode: 'number' }).notNull().default(0),
    attempt: integer('attempt').notNull().default(1),
    retryOf: bigint('retry_of', { mode: 'number' }),
    peakRssBytes: bigint('peak_rss_bytes', { mode: 'number' }),
    cpuSeconds: doublePrecision('cpu_seconds'),
    // Parameter values it runs with; secret parameters are left out here and kept sealed in
    // secret_params until the run ends.
    params: jsonb('params').$type<ParamValues>().notNull().default({}),
    secretParams: text('secret_params'),
    // attempt of max_attempts (1 + the task's max_retries when it was queued).
    maxAttempts: integer('max_attempts').notNull().default(1),
    // A retry waits in the queue until then.
    notBefore: timestamp('not_before', { withTimezone: true }),
    // The latest `::progress N message` line of its output.
    progressPct: real('progress_pct'),
    progressMsg: text('progress_msg'),
    progressAt: timestamp('progress_at', { withTimezone: true }),
  },
  (t) => [
    check('runs_status_check', sql`${t.status} in ('queued','running','success','failed','timeout','canceled','error','lost')`),
    // Postgres, not process memory, enforces one active run per task: across processes and machines.
    uniqueIndex('runs_one_active_per_task').on(t.taskId).where(sql`status in ('queued','running')`),
    index('runs_queued_fifo').on(t.id).where(sql`status = 'queued'`),
    index('runs_running_by_runner').on(t.runnerId).where(sql`status = 'running'`),
    // Plain ascending: scanned backwards they give newest first (an `id DESC NULLS LAST` index would not serve ORDER BY id DESC).
    index('runs_task_id_id').on(t.taskId, t.id),
    index('runs_status_id').on(t.status, t.id),
    // Both filters at once: with either index above, a rare pair (a task's few lost runs among a
    // million) walks every run of the task or every run of the status.
    index('runs_task_status_id').on(t.taskId, t.status, t.id),
    index('runs_needs_reap').on(t.host).where(sql`needs_reap`),
  ],
);

/** Runner processes: registered at start, heartbeating while alive. */
export const runners = pgTable('runners', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  bootId: text('boot_id').notNull(),
  slots: integer('slots').notNull(),
  version: text('version').notNull(),
  // What the runner can enforce; null for a runner older than isolation.
  isolation: jsonb('isolation').$type<RunnerIsolation>(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp('stopped_at', { withTimezone: true }),
});

/** Resource samples of a run's process tree, about one a second, written in batches by its runner. */
export const runSamples = pgTable(
  'run_samples',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    cpuPct: real('cpu_pct').notNull(),
    rssBytes: bigint('rss_bytes', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.at] })],
);

export const ROLES = ['viewer', 'operator', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** People who sign in to the pages. Passwords are scrypt hashes. */
export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_name').on(t.name), check('users_role_check', sql`${t.role} in ('viewer','operator','editor','admin')`)],
);

/** Signed-in sessions; the cookie holds a random token, the table only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** API tokens for scripts and CI; only the SHA-256 of a token is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    role: text('role').$type<Role>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash').on(t.tokenHash),
    uniqueIndex('api_tokens_active_name').on(t.name).where(sql`revoked_at is null`),
    check('api_tokens_role_check', sql`${t.role} in ('viewer','operator','editor','admin')`),
  ],
);

/** Append-only record of who did what, when, from where (a trigger refuses updates and deletes). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    ip: text('ip'),
    action: text('action').notNull(),
    target: text('target'),
    details: text('details'),
  },
  (t) => [index('audit_log_action_id').on(t.action, t.id), index('audit_log_actor_id').on(t.actor, t.id)],
);

/**
 * Sign-in attempts that failed (or are being judged) per key: `pair:ADDRESS NAME`, `user:NAME`,
 * `ip:ADDRESS`. A row is locked while an attempt is counted, so parallel guesses are counted one by one.
 */
export const signinThrottle = pgTable(
  'signin_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull().default(0),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('signin_throttle_last_failure_at').on(t.lastFailureAt)],
);

/** Addresses a user has signed in from: there the right password works while others are throttled. */
export const signinAddresses = pgTable(
  'signin_addresses',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    ip: text('ip').notNull(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.ip] })],
);

/** Small facts of the installation, such as the hash of the one-time setup code. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Secret environment variables of a task, sealed with AES-256-GCM (src/auth/secret-box.ts). */
export const taskSecrets = pgTable(
  'task_secrets',
  {
    taskId: text('task_id').notNull(),
    name: text('name').notNull(),
    sealed: text('sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.name] })],
);

export const MISSED_POLICIES = ['skip', 'catch_up'] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

/** Cron schedules of tasks. */
export const schedules = pgTable(
  'schedules',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    taskId: text('task_id').notNull(),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    enabled: boolean('enabled').notNull().default(true),
    missedPolicy: text('missed_policy').$type<MissedPolicy>().notNull().default('skip'),
    // Parameter values its runs get (secret parameters cannot be scheduled with a value: their defaults apply).
    params: jsonb('params').$type<ParamValues>().notNull().default({}),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    // Set on every change and on resume: fire times before it are neither run nor counted as missed.
    activeSince: timestamp('active_since', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('schedules_task').on(t.taskId), check('schedules_missed_policy_check', sql`${t.missedPolicy} in ('skip','catch_up')`)],
);

export const FIRE_OUTCOMES = ['queued', 'busy', 'full', 'missed', 'error'] as const;
export type FireOutcome = (typeof FIRE_OUTCOMES)[number];

/**
 * One row per schedule and fire time: the primary key is what makes a fire time run exactly once,
 * whichever scheduler process gets there first.
 */
export const scheduleFires = pgTable(
  'schedule_fires',
  {
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    fireAt: timestamp('fire_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
    outcome: text('outcome').$type<FireOutcome>().notNull(),
    runId: bigint('run_id', { mode: 'number' }),
    detail: text('detail'),
  },
  (t) => [
    primaryKey({ columns: [t.scheduleId, t.fireAt] }),
    check('schedule_fires_outcome_check', sql`${t.outcome} in ('queued','busy','full','missed','error')`),
  ],
);

/** Inbound webhook triggers: POST /hooks/:secret; only the SHA-256 of the secret is kept. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    taskId: text('task_id').notNull(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('webhooks_secret_hash').on(t.secretHash), index('webhooks_task').on(t.taskId)],
);

export const NOTIFY_EVENTS = ['success', 'failed', 'timeout', 'lost', 'canceled', 'error', 'any'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Outbound notifications: where to POST when a run of a task (or of any task: task_id null) ends. */
export const notificationTargets = pgTable(
  'notification_targets',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    taskId: text('task_id'),
    name: text('name').notNull(),
    url: text('url').notNull(),
    events: text('events').array().$type<NotifyEvent[]>().notNull(),
    // The HMAC-SHA256 key of X-Taskrun-Signature, sealed; shown once when created.
    sealedSecret: text('sealed_secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('notification_targets_task').on(t.taskId)],
);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One notification of one run to one target; created by a trigger when the run ends, sent by a notifier. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    targetId: integer('target_id')
      .notNull()
      .references(() => notificationTargets.id, { onDelete: 'cascade' }),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    event: text('event').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('notification_deliveries_due').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('notification_deliveries_target_id').on(t.targetId, t.id),
    index('notification_deliveries_run').on(t.runId),
    check('notification_deliveries_status_check', sql`${t.status} in ('pending','delivered','failed')`),
  ],
);

/** Each attempt of a delivery: the response status, or why there was none. */
export const notificationAttempts = pgTable(
  'notification_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    responseStatus: integer('response_status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('notification_attempts_delivery').on(t.deliveryId, t.id)],
);

/** A row of the runs table. */
export type Run = typeof runs.$inferSelect;
