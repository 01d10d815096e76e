import { formatBytes } from './format';
import { Layout } from './layout';
import { RunStatus, type RunState } from './run-status';
import { RunParams } from './run-attempts';
import { ResourceCharts } from './resource-charts';
import type { ResourcesJson } from '../services/resources-service';

/** How much of a log the run view shows at first, and loads per "earlier" click. */
export const LOG_TAIL_BYTES = 256 * 1024;

/** What the run view needs: the run, and the byte offset where its shown tail of the log starts. */
export type RunPageProps = { state: RunState; tailStart: number; logName: string; resources?: ResourcesJson };

/**
 * The log panel. The page script streams the log from `data-stream` (starting at `data-offset`),
 * renders ANSI colours after escaping, follows the end, and loads earlier parts by byte range.
 */
function LogPanel({ state, tailStart, logName }: RunPageProps) {
  const { run } = state;
  return (
    <section class="log-panel" aria-labelledby="log-heading">
      <div class="log-toolbar">
        <h2 id="log-heading">Log</h2>
        <span id="log-size" class="muted">
          {formatBytes(run.log_bytes)}
        </span>
        <span class="spacer"></span>
        <button type="button" id="log-earlier" class="btn btn-small" hidden={tailStart === 0} data-before={String(tailStart)}>
          Load earlier output
        </button>
        <button type="button" id="log-follow" class="btn btn-small" aria-pressed="true">
          Follow
        </button>
        <a class="btn btn-small" href={`/logs/${logName}/download`} download={logName}>
          Download
        </a>
      </div>
      {tailStart > 0 && (
        <p id="log-skipped" class="muted">
          The first {formatBytes(tailStart)} are not shown.
        </p>
      )}
      <pre
        id="log"
        class="log"
        tabindex={0}
        role="log"
        aria-labelledby="log-heading"
        data-stream={`/api/runs/${run.run_id}/stream`}
        data-offset={String(tailStart)}
        data-log-url={`/api/logs/${logName}`}
      >
        <span class="log-placeholder">{run.status === 'queued' ? 'Waiting for the run to start…' : 'Loading the log…'}</span>
      </pre>
      <p id="log-end" class="muted" hidden>
        End of the log.
      </p>
      <noscript>
        <p>
          Live output needs JavaScript; <a href={`/api/logs/${logName}`}>read the log as text</a>.
        </p>
      </noscript>
    </section>
  );
}

/** The run view: status, exit code and times, Cancel, and the live log. */
export function RunPage(props: RunPageProps) {
  const { run } = props.state;
  // While the run may still report progress, the page script listens for it (see client/task-events.ts).
  const live = run.status === 'queued' || run.status === 'running';
  return (
    <Layout title={`Run #${run.run_id} of ${run.task_id}`} section="runs">
      <div class="page-head" data-task-events={live ? '/events/tasks' : undefined}>
        <h1>
          Run #{run.run_id} <span class="muted">of</span> <a href={`/tasks/${run.task_id}/edit`}>{run.task_id}</a>
        </h1>
        <a href={`/runs?task_id=${run.task_id}`}>Other runs of {run.task_id}</a>
      </div>
      <RunStatus state={props.state} />
      <RunParams params={run.params} order={props.state.relations?.paramNames} />
      {props.resources && <ResourceCharts data={props.resources} />}
      <LogPanel {...props} />
    </Layout>
  );
}
