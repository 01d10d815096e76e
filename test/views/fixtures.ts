import type { RunJson } from '../../src/runs/json';
import type { TaskJson } from '../../src/services/tasks-service';

/** A run as the API shows it, with test defaults. */
export function runFixture(over: Partial<RunJson> = {}): RunJson {
  const id = over.run_id ?? 7;
  const task = over.task_id ?? 'backup';
  return {
    run_id: id,
    task_id: task,
    status: 'success',
    trigger: 'api',
    exit_code: 0,
    signal: null,
    error: null,
    created_at: '2024-05-01T10:00:00.000Z',
    started_at: '2024-05-01T10:00:01.000Z',
    finished_at: '2024-05-01T10:00:03.500Z',
    duration_ms: 2500,
    log: `/api/logs/${task}_${id}.log`,
    log_bytes: 120,
    peak_rss_bytes: null,
    cpu_seconds: null,
    params: {},
    attempt: 1,
    max_attempts: 1,
    retry_of: null,
    not_before: null,
    progress: null,
    ...over,
  };
}

/** A task as the API shows it, with test defaults. */
export function taskFixture(over: Partial<TaskJson> = {}): TaskJson {
  const id = over.id ?? 'backup';
  return {
    id,
    file: `${id}.py`,
    language: 'py',
    description: '',
    timeout_s: 3600,
    max_rss_bytes: null,
    max_cpu_pct: null,
    limit_grace_s: null,
    isolation: 'standard',
    network: true,
    max_processes: null,
    max_memory_bytes: null,
    max_file_bytes: null,
    max_open_files: null,
    max_cpu_seconds: null,
    retry_on_lost: false,
    retention_days: null,
    params: [],
    env: {},
    secrets: [],
    max_retries: 0,
    retry_delay_s: 0,
    active_run: null,
    last_run: null,
    ...over,
  };
}

/** Renders a view (a Hono JSX element) to its HTML text. */
export async function render(node: unknown): Promise<string> {
  return await (node as { toString(): string | Promise<string> }).toString();
}

/** The markup a strict CSP would block: inline scripts, style elements or attributes, inline handlers, hx-on. */
export function cspViolations(html: string): string[] {
  const found: string[] = [];
  // Escaped text never holds a raw "<", so every match here is a real tag.
  for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    if (/^<script\b/.test(tag) && !/\ssrc="\/assets\/[\w.-]+"/.test(tag)) found.push(tag);
    if (/^<style\b/.test(tag) || /\s(?:style|hx-on[:-][\w:-]*|on[a-z]+)=/.test(tag)) found.push(tag);
  }
  return found;
}
