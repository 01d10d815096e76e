import { execFileSync } from 'node:child_process';
import type { AppProcess } from './app-process';

/** Starts a run over the JSON API and returns its id. */
export async function execute(app: AppProcess, taskId: string): Promise<number> {
  const res = await app.api(`/api/tasks/${taskId}/execute`, { method: 'POST' });
  if (res.status !== 202) throw new Error(`execute ${taskId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { run_id: number }).run_id;
}

/** Waits until a run has ended and returns its status. */
export async function waitEnded(app: AppProcess, runId: number, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const run = (await (await app.api(`/api/runs/${runId}`)).json()) as { status: string; finished_at: string | null };
    if (run.finished_at) return run.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not end within ${ms} ms`);
}

/** The pid of the web process that `npm start` supervises. */
export function webPid(app: AppProcess): number {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(app.pid)], { encoding: 'utf8' }).split('\n');
  const web = lines.find((l) => l.includes('web/main.js'));
  if (!web) throw new Error(`no web process under ${app.pid}:\n${lines.join('\n')}`);
  return Number(web.trim().split(/\s+/)[0]);
}

/** Waits until /healthz answers again (after the web process was restarted). */
export async function waitHealthy(app: AppProcess, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (
      await fetch(`${app.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the web process did not come back');
}
