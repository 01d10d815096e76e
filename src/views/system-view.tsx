import type { ProcessJson, ProcessScope, SystemInfo } from '../services/system-service';
import { formatBytes, formatPct } from './format';
import { Layout } from './layout';
import { SystemStats } from './system-stats';

/**
 * The busiest processes, refreshed every few seconds; those of a run are marked and link to it. In scope
 * `runs` (everyone but admins) the list holds only those.
 */
export function ProcessTable({ procs, scope }: { procs: ProcessJson[]; scope: ProcessScope }) {
  return (
    <div id="processes" hx-get="/system/processes" hx-trigger="every 5s" hx-swap="outerHTML">
      {scope === 'runs' && <p class="muted">Only the processes of runs are shown; admins see every process of the machine.</p>}
      <table class="table processes">
        <caption class="sr-only">{scope === 'runs' ? 'Processes of runs by CPU use' : 'Processes by CPU use'}</caption>
        <thead>
          <tr>
            <th scope="col">PID</th>
            <th scope="col">Process</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {procs.map((p) => (
            <tr class={p.of_run ? 'proc-of-run' : undefined}>
              <td data-label="PID">{p.pid}</td>
              <th scope="row" class="proc-name">
                <span>{p.name}</span>
                <code class="proc-command" title={p.command}>
                  {p.command}
                </code>
              </th>
              <td data-label="CPU">{formatPct(p.cpu_pct)}</td>
              <td data-label="Memory">{formatBytes(p.mem_rss)}</td>
              <td data-label="Run">
                {p.run_id !== null ? (
                  <a class="badge badge-running" href={`/runs/${p.run_id}`}>
                    {p.task_id} #{p.run_id}
                  </a>
                ) : (
                  p.of_run && 'a run'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {procs.length === 0 && <p class="empty">{scope === 'runs' ? 'No run is running on this machine.' : 'No process found.'}</p>}
    </div>
  );
}

/** The system monitor: figures and charts, runners, processes. */
export function SystemPage({ info, procs, scope, at }: { info: SystemInfo; procs: ProcessJson[]; scope: ProcessScope; at: Date }) {
  return (
    <Layout title="System" section="system">
      <div class="page-head">
        <h1>System</h1>
      </div>
      <SystemStats info={info} at={at} />
      <h2>Processes</h2>
      <ProcessTable procs={procs} scope={scope} />
    </Layout>
  );
}
