import { sql } from 'drizzle-orm';
import { bigint, boolean, check, doublePrecision, index, integer, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

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
    // Set when a run is marked lost; cleared by a runner on the same host once it killed what was left.
    needsReap: boolean('needs_reap').notNull().default(false),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    logBytes: bigint('log_bytes', { mode: 'number' }).notNull().default(0),
    attempt: integer('attempt').notNull().default(1),
    retryOf: bigint('retry_of', { mode: 'number' }),
    peakRssBytes: bigint('peak_rss_bytes', { mode: 'number' }),
    cpuSeconds: doublePrecision('cpu_seconds'),
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
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
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

/** Failed sign-ins, for rate limiting across web nodes. */
export const signinFailures = pgTable(
  'signin_failures',
  {
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('signin_failures_key_at').on(t.key, t.at)],
);

/** Small facts of the installation, such as the hash of the one-time setup code. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
