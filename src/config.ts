import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowedHost, type AllowedHost } from './outbound/allowed-hosts';

// The one module that reads the environment; everything else receives a Config.

/** The longest timeout a timer can hold (Node timers stop at 2^31 ms, about 24.8 days). */
export const MAX_TIMEOUT_S = 2_000_000;

const MB = 1024 * 1024;

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);

// NOTIFY_ALLOWED_HOSTS: comma-separated entries (src/outbound/allowed-hosts.ts); unset: any host but the refused ones.
const allowedHostList = z
  .string()
  .optional()
  .transform((text, ctx): AllowedHost[] | null => {
    if (text === undefined) return null;
    const entries = text
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one host (or be unset)' });
    const parsed = entries.map(parseAllowedHost);
    for (const p of parsed) if ('problem' in p) ctx.addIssue({ code: 'custom', message: p.problem });
    return parsed.filter((p): p is AllowedHost => !('problem' in p));
  });

const schema = z
  .object({
    PORT: int(5000, 0, 65535),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().url().optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    TASKS_DIR: z.string().min(1).default('./tasks'),
    LOGS_DIR: z.string().min(1).default('./logs'),
    MAX_TASK_WORKERS: int(5, 1, 1000),
    MAX_QUEUED_RUNS: int(100, 0),
    TASK_TIMEOUT_S: int(3600, 1, MAX_TIMEOUT_S),
    KILL_GRACE_S: z.coerce.number().min(0).max(3600).default(5),
    LOG_MAX_BYTES: int(100 * 1024 * 1024, 1024),
    RUNNER_DEAD_S: z.coerce.number().min(1).max(86400).default(15),
    RUNNER_POLL_MS: int(2000, 10, 600000),
    SHUTDOWN_GRACE_S: z.coerce.number().min(0).max(86400).default(30),
    PYTHON: z.string().min(1).optional(),
    ADMIN_PASSWORD: z.string().min(8, { error: 'must be at least 8 characters' }).optional(),
    // Reverse proxies in front of the web process, counted from it: their X-Forwarded-* are believed.
    TRUST_PROXY: z
      .string()
      .regex(/^(?:true|false|[0-9]|10)$/, { error: 'must be the number of trusted proxy hops, 0 to 10 (true means 1, false 0)' })
      .default('false'),
    METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    // /metrics without a token or an admin: for a scraper on a private network only.
    METRICS_PUBLIC: z.enum(['0', '1', 'false', 'true']).default('false'),
    RUN_RETENTION_DAYS: z.coerce.number().min(0).max(36500).default(30),
    // Default resource limits of a run's process tree (unset: none); a task's own limits win.
    RUN_MAX_RSS_MB: z.coerce
      .number()
      .positive()
      .max(1024 * 1024 * 1024)
      .optional(),
    RUN_MAX_CPU_PCT: z.coerce.number().positive().max(1_000_000).optional(),
    RUN_LIMIT_GRACE_S: z.coerce.number().min(0).max(86400).default(10),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Automation. SECRET_KEY seals secrets at rest (unset: a key generated once into DATA_DIR/secret.key);
    // every machine of a fleet needs the same one.
    SECRET_KEY: z
      .string()
      .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, { error: 'must be 32 bytes: 64 hex digits or 44 base64 characters' })
      .optional(),
    // Where people reach the pages; links in notifications start with it.
    PUBLIC_URL: z.string().url({ error: 'must be a URL such as https://taskrun.example.com' }).optional(),
    NOTIFY_ATTEMPTS: int(5, 1, 100),
    NOTIFY_BACKOFF_S: z.coerce.number().min(0).max(86400).default(10),
    NOTIFY_TIMEOUT_S: z.coerce.number().min(0.1).max(600).default(10),
    NOTIFY_ALLOWED_HOSTS: allowedHostList,
    HOOK_RATE_PER_MIN: int(60, 1, 1_000_000),
    // The web server's connections: at most MAX_CONNECTIONS open at once (past it a new one is closed at
    // once), each closed when its request headers take too long, its request too long, or it sits idle.
    MAX_CONNECTIONS: int(1000, 1, 1_000_000),
    HTTP_HEADERS_TIMEOUT_S: z.coerce.number().min(0.1).max(3600).default(10),
    HTTP_REQUEST_TIMEOUT_S: z.coerce.number().min(0.1).max(3600).default(60),
    HTTP_KEEPALIVE_TIMEOUT_S: z.coerce.number().min(0.1).max(3600).default(5),
    HTTP_IDLE_TIMEOUT_S: z.coerce.number().min(0.1).max(86400).default(60),
    // Live streams send a comment this often, so idle timeouts never cut one that has nothing to say.
    SSE_KEEPALIVE_S: z.coerce.number().min(0.1).max(3600).default(15),
    SCHEDULER: z.enum(['0', '1', 'false', 'true']).default('true'),
    // Isolation. Migrations and grants run with DATABASE_OWNER_URL when set; DATABASE_URL is the app's role.
    DATABASE_OWNER_URL: z.string().url().optional(),
    // As root, runs execute as the uids RUN_UID_BASE .. RUN_UID_BASE + RUN_UID_COUNT - 1 (one run at a
    // time each; accounts created on first start): a process of one of them is a run's, wherever its
    // process group is. Never 0: root's processes are not runs'.
    RUN_UID_BASE: int(64000, 1, 2 ** 31 - 2),
    RUN_UID_COUNT: int(32, 1, 65536),
    // Runs' scratch folders (each 0700, owned by the run's uid) live here; never inside DATA_DIR.
    RUN_WORK_DIR: z.string().min(1).optional(),
    KEEP_FAILED_WORKDIR_S: z.coerce
      .number()
      .min(0)
      .max(30 * 86400)
      .default(0),
    // Kernel-enforced limits of every run (a task's own settings win).
    RUN_MAX_PROCESSES: int(1024, 1, 4_194_304),
    RUN_MAX_MEMORY_MB: int(4096, 16, 1024 * 1024 * 1024),
    RUN_MAX_FILE_MB: int(4096, 1, 1024 * 1024 * 1024),
    RUN_MAX_OPEN_FILES: int(4096, 16, 1_048_576),
    RUN_MAX_CPU_S: int(86400, 1, 365 * 86400),
    // As root, the web process runs as this user (a name or a uid); the runner keeps root to switch to run uids.
    WEB_USER: z.string().min(1).optional(),
    // A session unused this long is over (8 h: a working day); at most the 7-day lifetime of a session.
    SESSION_IDLE_S: int(8 * 3600, 300, 7 * 24 * 3600),
    // Password hashing (scrypt, 32 MiB and ~50 ms a hash) in threads of its own, with a bounded queue.
    PASSWORD_HASH_THREADS: int(1, 1, 16),
    PASSWORD_HASH_QUEUE: int(32, 0, 10_000),
  })
  .superRefine((e, ctx) => {
    if (e.HTTP_HEADERS_TIMEOUT_S > e.HTTP_REQUEST_TIMEOUT_S) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_S'],
        message: 'must not be above HTTP_REQUEST_TIMEOUT_S (the headers are part of the request)',
      });
    }
    if (e.SSE_KEEPALIVE_S >= e.HTTP_IDLE_TIMEOUT_S) {
      ctx.addIssue({
        code: 'custom',
        path: ['SSE_KEEPALIVE_S'],
        message: 'must be below HTTP_IDLE_TIMEOUT_S, or idle live streams would be cut',
      });
    }
    if (e.METRICS_TOKEN !== undefined && (e.METRICS_PUBLIC === '1' || e.METRICS_PUBLIC === 'true')) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PUBLIC'], message: 'must not be set together with METRICS_TOKEN: choose one' });
    }
  });

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  tasksDir: string;
  logsDir: string;
  maxTaskWorkers: number;
  maxQueuedRuns: number;
  taskTimeoutS: number;
  killGraceMs: number;
  logMaxBytes: number;
  runnerDeadMs: number;
  runnerPollMs: number;
  shutdownGraceMs: number;
  python: string | undefined;
  metricsToken: string | undefined;
  metricsPublic: boolean;
  adminPassword: string | undefined;
  /** Trusted reverse proxies in front of the web process (hops); 0: none. */
  trustProxy: number;
  runRetentionDays: number;
  runMaxRssBytes: number | null;
  runMaxCpuPct: number | null;
  runLimitGraceMs: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  secretKey: string | undefined;
  publicUrl: string;
  notifyAttempts: number;
  notifyBackoffMs: number;
  notifyTimeoutMs: number;
  // Hosts notification targets may name (null: any but the always refused); see src/outbound/.
  notifyAllowedHosts: AllowedHost[] | null;
  hookRatePerMin: number;
  /** The web server's limits: connections at once, and how long a connection may take or idle (ms). */
  http: { maxConnections: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; idleTimeoutMs: number };
  sseKeepAliveMs: number;
  scheduler: boolean;
  databaseOwnerUrl: string | undefined;
  runUidBase: number;
  runUidCount: number;
  runWorkDir: string;
  keepFailedWorkdirMs: number;
  runLimits: RunLimits;
  webUser: string | undefined;
  sessionIdleMs: number;
  passwordHashThreads: number;
  passwordHashQueue: number;
};

/** Kernel-enforced limits of a run: each process's rlimits, and the run's cgroup where there is one. */
export type RunLimits = { maxProcesses: number; maxMemoryBytes: number; maxFileBytes: number; maxOpenFiles: number; maxCpuSeconds: number };

/** Reads and validates the environment; throws one readable error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    tasksDir: path.resolve(e.TASKS_DIR),
    logsDir: path.resolve(e.LOGS_DIR),
    maxTaskWorkers: e.MAX_TASK_WORKERS,
    maxQueuedRuns: e.MAX_QUEUED_RUNS,
    taskTimeoutS: e.TASK_TIMEOUT_S,
    killGraceMs: Math.round(e.KILL_GRACE_S * 1000),
    logMaxBytes: e.LOG_MAX_BYTES,
    runnerDeadMs: Math.round(e.RUNNER_DEAD_S * 1000),
    runnerPollMs: e.RUNNER_POLL_MS,
    shutdownGraceMs: Math.round(e.SHUTDOWN_GRACE_S * 1000),
    python: e.PYTHON,
    metricsToken: e.METRICS_TOKEN,
    metricsPublic: e.METRICS_PUBLIC === '1' || e.METRICS_PUBLIC === 'true',
    adminPassword: e.ADMIN_PASSWORD,
    trustProxy: e.TRUST_PROXY === 'true' ? 1 : e.TRUST_PROXY === 'false' ? 0 : Number(e.TRUST_PROXY),
    runRetentionDays: e.RUN_RETENTION_DAYS,
    runMaxRssBytes: e.RUN_MAX_RSS_MB === undefined ? null : Math.round(e.RUN_MAX_RSS_MB * 1024 * 1024),
    runMaxCpuPct: e.RUN_MAX_CPU_PCT ?? null,
    runLimitGraceMs: Math.round(e.RUN_LIMIT_GRACE_S * 1000),
    logLevel: e.LOG_LEVEL,
    secretKey: e.SECRET_KEY,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
    notifyAttempts: e.NOTIFY_ATTEMPTS,
    notifyBackoffMs: Math.round(e.NOTIFY_BACKOFF_S * 1000),
    notifyTimeoutMs: Math.round(e.NOTIFY_TIMEOUT_S * 1000),
    notifyAllowedHosts: e.NOTIFY_ALLOWED_HOSTS,
    hookRatePerMin: e.HOOK_RATE_PER_MIN,
    http: {
      maxConnections: e.MAX_CONNECTIONS,
      headersTimeoutMs: Math.round(e.HTTP_HEADERS_TIMEOUT_S * 1000),
      requestTimeoutMs: Math.round(e.HTTP_REQUEST_TIMEOUT_S * 1000),
      keepAliveTimeoutMs: Math.round(e.HTTP_KEEPALIVE_TIMEOUT_S * 1000),
      idleTimeoutMs: Math.round(e.HTTP_IDLE_TIMEOUT_S * 1000),
    },
    sseKeepAliveMs: Math.round(e.SSE_KEEPALIVE_S * 1000),
    scheduler: e.SCHEDULER === '1' || e.SCHEDULER === 'true',
    databaseOwnerUrl: e.DATABASE_OWNER_URL,
    runUidBase: e.RUN_UID_BASE,
    runUidCount: e.RUN_UID_COUNT,
    runWorkDir: path.resolve(e.RUN_WORK_DIR ?? path.join(os.tmpdir(), 'taskrun-work')),
    keepFailedWorkdirMs: Math.round(e.KEEP_FAILED_WORKDIR_S * 1000),
    runLimits: {
      maxProcesses: e.RUN_MAX_PROCESSES,
      maxMemoryBytes: e.RUN_MAX_MEMORY_MB * MB,
      maxFileBytes: e.RUN_MAX_FILE_MB * MB,
      maxOpenFiles: e.RUN_MAX_OPEN_FILES,
      maxCpuSeconds: e.RUN_MAX_CPU_S,
    },
    webUser: e.WEB_USER,
    sessionIdleMs: e.SESSION_IDLE_S * 1000,
    passwordHashThreads: e.PASSWORD_HASH_THREADS,
    passwordHashQueue: e.PASSWORD_HASH_QUEUE,
  };
}

/** The environment variables taskrun reads (besides TEST_DATABASE_URL in tests). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
